// Node subsystem hooks (see node/init.h). Placeholder: the chainstate helper replaces this file
// with the real wiring (ChainParams, ChainstateManager, mempool).
#include <node/init.h>

#include <node/context.h>

void AddNodeSubsystemArgs(ArgsManager& args) {}

bool StartNodeSubsystems(NodeContext& node, std::string& error) { return true; }

void StopNodeSubsystems(NodeContext& node) {}
