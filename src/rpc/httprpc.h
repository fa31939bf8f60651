// The JSON-RPC-over-HTTP service of odad: options, authentication (cookie or
// -rpcuser/-rpcpassword, HTTP Basic), the command table and the HTTP server, packaged as a
// NodeService for AppMain (node/init.h).
//
// Authentication: unless -rpcpassword is set, a cookie "__cookie__:<64 hex>" is written to
// <network datadir>/.cookie (or -rpccookiefile) with mode 0600 at start and deleted at stop;
// clients send it as Basic credentials. Wrong or missing credentials -> 401 with
// WWW-Authenticate (wrong ones after a 250 ms delay, to slow down guessing).
// Access: peers must match -rpcallowip (default: 127.0.0.0/8 and ::1 only; when -rpcallowip is
// given, exactly the listed networks). Binds: -rpcbind (default 127.0.0.1 and ::1).
#ifndef ODA_RPC_HTTPRPC_H
#define ODA_RPC_HTTPRPC_H

#include <node/init.h>

#include <optional>
#include <string>
#include <vector>

class ArgsManager;

/** Registers the RPC server options (-server, -rpcbind, -rpcport, ...). */
void AddRPCServerArgs(ArgsManager& args);

/** The RPC server as a service that starts before the node subsystems (it answers
 *  RPC_IN_WARMUP until init is done) and stops after everything started later. */
NodeService MakeRPCService();

/** One -rpcauth entry, "<user>:<salt>$<hash>": hash is the lower-case hex
 *  HMAC-SHA256(key = salt as text, message = password), so the password is not stored in the
 *  config file (contrib/rpcauth.py makes such lines). */
struct RPCAuthEntry {
    std::string user;
    std::string salt;
    std::string hash_hex;

    /** nullopt (with error) unless value has the form user:salt$hash with a non-empty user and
     *  salt and a 64-hex-digit hash. */
    static std::optional<RPCAuthEntry> Parse(const std::string& value, std::string& error);
    /** Constant-time check of a password against the hash. */
    bool Matches(const std::string& password) const;
};

/** Every way a client may authenticate: exact "user:password" pairs (the cookie,
 *  -rpcuser/-rpcpassword) and hashed -rpcauth entries. */
struct RPCCredentials {
    std::vector<std::string> userpass;
    std::vector<RPCAuthEntry> hashed;

    /** True when the Authorization header value ("Basic <base64>") carries credentials accepted
     *  by one of the above; user receives the user name on success. */
    bool Check(const std::string& header_value, std::string& user) const;
};

/** True when the Authorization header value carries exactly the expected "user:password"
 *  (constant-time comparison). user receives the user name on success. */
bool CheckBasicAuthorization(const std::string& header_value, const std::string& expected_userpass,
                             std::string& user);

/** Cookie file content "__cookie__:<64 hex>" from 32 OS random bytes; empty on failure. */
std::string GenerateAuthCookie();

#endif // ODA_RPC_HTTPRPC_H
