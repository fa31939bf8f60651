// oda-model's subcommands. Each is one table entry: name, summary, usage text, the positionals
// and options it accepts, and its handler. main (src/oda-model.cpp) parses the options, answers
// --help with the usage text and checks the positionals before it calls the handler, so a
// handler starts with valid words. Handlers throw ToolError on user errors.
#ifndef ODA_TOOL_COMMANDS_H
#define ODA_TOOL_COMMANDS_H

#include <tool/args.h>

#include <set>
#include <string>

namespace odamodel {

/** The positionals a subcommand takes. */
enum class Positionals {
    NONE,                     //!< none ("NAME takes no positional arguments")
    ONE_ARCHITECTURE,         //!< exactly one architecture file ("NAME needs exactly one architecture file")
    AT_MOST_ONE_ARCHITECTURE, //!< zero or one ("NAME takes at most one architecture file")
};

struct Command {
    std::string name;
    std::string summary; //!< one line in the tool's command list
    std::string usage;   //!< the --help text
    Positionals positionals;
    std::set<std::string> flags;  //!< options without a value (--help is always accepted)
    std::set<std::string> valued; //!< options with a value
    int (*run)(const Args&);      //!< the exit code
};

// data_commands.cpp: datasets
Command MakeDatasetCommand();
Command ImportIdxCommand();
// train_commands.cpp: weights from libtorch float models
Command InitCommand();
Command TrainCommand();
Command QuantizeCommand();
// model_commands.cpp: running and describing a model
Command EvalCommand();
Command InferCommand();
Command InspectCommand();

} // namespace odamodel

#endif // ODA_TOOL_COMMANDS_H
