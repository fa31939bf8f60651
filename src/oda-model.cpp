// oda-model: make, train, quantize, score and inspect ODA models off-chain.
// Manual: doc/oda-model.md. Every subcommand has --help; errors go to stderr
// with exit code 1. The subcommands live in src/tool/ (one table entry each,
// see commands.h); this file finds the subcommand, checks its words and runs it.
#include <tool/args.h>
#include <tool/commands.h>

#include <cstdio>
#include <exception>
#include <set>
#include <string>
#include <vector>

using namespace odamodel;

namespace {

const std::vector<Command>& Commands()
{
    static const std::vector<Command> commands{
        InitCommand(), MakeDatasetCommand(), ImportIdxCommand(), TrainCommand(),
        QuantizeCommand(), EvalCommand(), InferCommand(), InspectCommand(),
    };
    return commands;
}

void PrintUsage(FILE* f)
{
    std::fprintf(f, "Usage: oda-model COMMAND [ARGS] (oda-model COMMAND --help for details)\n\nCommands:\n");
    for (const auto& c : Commands()) std::fprintf(f, "  %-13s %s\n", c.name.c_str(), c.summary.c_str());
}

/** Throws ToolError when the positionals do not fit the command. */
void CheckPositionals(const Command& c, const Args& args)
{
    const size_t n = args.Positional().size();
    switch (c.positionals) {
    case Positionals::NONE:
        if (n != 0) throw ToolError(c.name + " takes no positional arguments (see --help)");
        break;
    case Positionals::ONE_ARCHITECTURE:
        if (n != 1) throw ToolError(c.name + " needs exactly one architecture file (see --help)");
        break;
    case Positionals::AT_MOST_ONE_ARCHITECTURE:
        if (n > 1) throw ToolError(c.name + " takes at most one architecture file (see --help)");
        break;
    }
}

/** Parses the words after the command name, answers --help, checks them, runs the command. */
int Run(const Command& c, int argc, char** argv)
{
    std::set<std::string> flags = c.flags;
    flags.insert("help");
    const Args args(argc, argv, flags, c.valued);
    if (args.Has("help")) {
        std::puts(c.usage.c_str());
        return 0;
    }
    CheckPositionals(c, args);
    return c.run(args);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        PrintUsage(stderr);
        return 1;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        PrintUsage(stdout);
        return 0;
    }
    for (const auto& c : Commands()) {
        if (name != c.name) continue;
        try {
            return Run(c, argc - 2, argv + 2);
        } catch (const std::exception& e) { // ToolError and the libraries' errors alike
            std::fprintf(stderr, "error: %s\n", e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "error: unknown command '%s'\n", name.c_str());
    PrintUsage(stderr);
    return 1;
}
