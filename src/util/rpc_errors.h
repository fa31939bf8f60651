// RPC error codes: the numbers a JSON-RPC error reply carries in "code" (the values of
// Bitcoin Core, so existing tooling understands them).
//
// Defined once here, in util/ (below both rpc/ and wallet/ in doc/design/libraries.md), so
// that the RPC layer (rpc/protocol.h re-exports it) and wallet code, which reports failures
// as WalletError(code, message) without depending on the RPC server, share one definition.
// Only the standard library is needed: the header holds nothing but the enum.
#ifndef ODA_UTIL_RPC_ERRORS_H
#define ODA_UTIL_RPC_ERRORS_H

/** RPC error codes (as Bitcoin Core). */
enum RPCErrorCode {
    // Standard JSON-RPC 2.0 errors.
    RPC_INVALID_REQUEST = -32600, //!< also used for legacy "request is not an object" errors
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    RPC_PARSE_ERROR = -32700,

    // General application errors.
    RPC_MISC_ERROR = -1,                 //!< std::exception thrown in command handling
    RPC_TYPE_ERROR = -3,                 //!< unexpected type was passed as parameter
    RPC_INVALID_ADDRESS_OR_KEY = -5,     //!< invalid address, key, or unknown txid/block
    RPC_OUT_OF_MEMORY = -7,              //!< ran out of memory during operation
    RPC_INVALID_PARAMETER = -8,          //!< invalid, missing or duplicate parameter
    RPC_DATABASE_ERROR = -20,            //!< database error
    RPC_DESERIALIZATION_ERROR = -22,     //!< error parsing or validating structure in raw format
    RPC_VERIFY_ERROR = -25,              //!< general error during transaction or block submission
    RPC_VERIFY_REJECTED = -26,           //!< transaction or block was rejected by network rules
    RPC_VERIFY_ALREADY_IN_CHAIN = -27,   //!< transaction already in chain
    RPC_IN_WARMUP = -28,                 //!< client still warming up
    RPC_METHOD_DEPRECATED = -32,         //!< RPC method is deprecated

    // P2P client errors.
    RPC_CLIENT_NOT_CONNECTED = -9,
    RPC_CLIENT_IN_INITIAL_DOWNLOAD = -10,
    RPC_CLIENT_NODE_ALREADY_ADDED = -23,
    RPC_CLIENT_NODE_NOT_ADDED = -24,
    RPC_CLIENT_NODE_NOT_CONNECTED = -29,
    RPC_CLIENT_INVALID_IP_OR_SUBNET = -30,
    RPC_CLIENT_P2P_DISABLED = -31,
    RPC_CLIENT_NODE_CAPACITY_REACHED = -34,

    // Wallet errors.
    RPC_WALLET_ERROR = -4,
    RPC_WALLET_INSUFFICIENT_FUNDS = -6,
    RPC_WALLET_INVALID_LABEL_NAME = -11,
    RPC_WALLET_KEYPOOL_RAN_OUT = -12,
    RPC_WALLET_UNLOCK_NEEDED = -13,
    RPC_WALLET_PASSPHRASE_INCORRECT = -14,
    RPC_WALLET_WRONG_ENC_STATE = -15,
    RPC_WALLET_ENCRYPTION_FAILED = -16,
    RPC_WALLET_ALREADY_UNLOCKED = -17,
    RPC_WALLET_NOT_FOUND = -18,
    RPC_WALLET_NOT_SPECIFIED = -19,
    RPC_WALLET_ALREADY_LOADED = -35,
    RPC_WALLET_ALREADY_EXISTS = -36,
};

#endif // ODA_UTIL_RPC_ERRORS_H
