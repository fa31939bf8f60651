// The odad life cycle: options, data directory, logging, signals, services, shutdown.
//
// Layering: node/ may not include rpc/, net/ or zmq/, so those parts are handed in by the
// executable as NodeService values (odad.cpp builds the list; e.g. MakeRPCService() from
// rpc/httprpc.h). AppMain() registers their options, starts them in list order around the
// node subsystems, and stops them in reverse order.
//
// Start order: parse options and config -> select network -> (-daemon: fork) -> create and
// lock the data directory -> logging -> -pid file -> signal handlers -> services with
// before_subsystems (RPC: answers "in warmup" while the node loads) -> StartNodeSubsystems()
// -> other services -> every service's on_ready (RPC leaves warmup) -> wait for shutdown.
// Stop order: interrupt services (reverse) -> stop services started after the subsystems
// (reverse) -> stop services started before them (reverse) -> StopNodeSubsystems() -> remove
// the pid file -> close the log.
#ifndef ODA_NODE_INIT_H
#define ODA_NODE_INIT_H

#include <functional>
#include <string>
#include <vector>

class ArgsManager;
struct NodeContext;

/** A part of odad that lives outside node/ (RPC server, P2P, ZMQ). Empty functions are skipped. */
struct NodeService {
    std::string name;
    std::function<void(ArgsManager&)> add_args;                   //!< register options
    std::function<bool(NodeContext&, std::string& error)> start;  //!< false + error stops init
    std::function<void(NodeContext&)> on_ready;                   //!< init finished
    std::function<void(NodeContext&)> interrupt;                  //!< stop taking new work
    std::function<void(NodeContext&)> stop;                       //!< release everything
    bool before_subsystems{false};                                //!< start before the chainstate
};

/** Registers odad's own options, the node subsystems' (AddNodeSubsystemArgs) and the services'. */
void SetupServerArgs(ArgsManager& args, const std::vector<NodeService>& services);

/** Runs odad: returns the process exit code (0 clean stop, 1 init error, bad options, or a
 *  fatal disk/database error while running: the chainstate's fatal-error handler requests
 *  shutdown, see node/validation.h). Errors are printed as "Error: <message>" on stderr (and
 *  logged once logging runs). */
int AppMain(int argc, const char* const argv[], const std::vector<NodeService>& services);

// ---- Node subsystem hooks: implemented in node/subsystems.cpp (chain parameters, chainstate, mempool).

/** Registers the options of the chainstate, mempool, miner, ... */
void AddNodeSubsystemArgs(ArgsManager& args);
/** Creates the chain parameters, chainstate, mempool, ... in node (node.args is set, the data
 *  directory exists and is locked, logging runs). false + error aborts init (the node is then
 *  stopped with StopNodeSubsystems, which must cope with a partial start). */
bool StartNodeSubsystems(NodeContext& node, std::string& error);
/** Flushes and destroys what StartNodeSubsystems created, in reverse order. Idempotent. */
void StopNodeSubsystems(NodeContext& node);

#endif // ODA_NODE_INIT_H
