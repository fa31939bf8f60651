#include <zmq/init.h>

#include <node/context.h>
#include <node/validation.h>
#include <util/args.h>
#include <util/strencodings.h>
#include <zmq/zmqnotifier.h>

#include <vector>

NodeService MakeZMQService()
{
    NodeService service;
    service.name = "zmq";
    service.add_args = [](ArgsManager& args) {
        using OC = OptionsCategory;
        const unsigned ANY = ArgsManager::ALLOW_ANY;
        for (const std::string& type : ZmqPublisherTypes()) {
            const std::string what = type.substr(3); // "hashblock", ...
            args.AddArg("-zmq" + type + "=<address>",
                        "Enable publish " + what + " in <address> (may be given more than once)", ANY, OC::ZMQ);
            args.AddArg("-zmq" + type + "hwm=<n>",
                        strprintf("Set publish %s outbound message high water mark (default: %d)", what.c_str(),
                                  DEFAULT_ZMQ_SNDHWM),
                        ANY, OC::ZMQ);
        }
    };
    service.start = [](NodeContext& node, std::string& error) {
        std::vector<ZmqPublisherConfig> configs;
        if (!ReadZmqOptions(*node.args, configs, error)) return false;
        if (configs.empty()) return true;
        if (!node.chainman) {
            error = "ZeroMQ notifications need the chainstate";
            return false;
        }
        std::unique_ptr<ZmqNotifier> notifier = ZmqNotifier::Create(configs, error);
        if (!notifier) return false;
        node.zmq_notifier = std::move(notifier);
        node.chainman->Signals().Register(node.zmq_notifier.get(), node::ObserverDelivery::QUEUED);
        return true;
    };
    service.stop = [](NodeContext& node) {
        if (!node.zmq_notifier) return;
        // Unregister returns once no callback runs, so the sockets can then be closed.
        if (node.chainman) node.chainman->Signals().Unregister(node.zmq_notifier.get());
        node.zmq_notifier.reset();
    };
    return service;
}
