// The P2P network as a NodeService (node/init.h): options, start (address book, ban list,
// connection manager, peer logic), stop (flushing peers.dat and banlist.dat).
#ifndef ODA_NET_INIT_H
#define ODA_NET_INIT_H

#include <node/init.h>

class ArgsManager;

/** Registers -listen, -port, -bind, -connect, -addnode, -maxconnections, ... */
void AddP2PArgs(ArgsManager& args);

/** Starts after the node subsystems (needs the chainstate), stops before them. */
NodeService MakeP2PService();

#endif // ODA_NET_INIT_H
