// odad's ZeroMQ service: the -zmqpub* options and the ZmqNotifier's life cycle.
#ifndef ODA_ZMQ_INIT_H
#define ODA_ZMQ_INIT_H

#include <node/init.h>

/** Options -zmqpub<topic>=<address> and -zmqpub<topic>hwm=<n> for hashblock, rawblock, hashtx,
 *  rawtx and sequence. start (after the node subsystems) binds the sockets, fails init when
 *  one cannot be bound, and registers the notifier (QUEUED) on the chainstate's signals;
 *  stop unregisters and destroys it (before the chainstate is destroyed). Without any
 *  -zmqpub* option the service does nothing and node.zmq_notifier stays nullptr. */
NodeService MakeZMQService();

#endif // ODA_ZMQ_INIT_H
