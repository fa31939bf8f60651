// Random bytes from the operating system (getrandom(2)), for secrets such as the RPC cookie.
// Not for consensus. Aborts are never used: failure is reported to the caller.
#ifndef ODA_UTIL_RANDOM_H
#define ODA_UTIL_RANDOM_H

#include <cstddef>
#include <cstdint>

/** Fills buf with len cryptographically secure random bytes. false on OS failure. */
bool GetOSRandBytes(uint8_t* buf, size_t len);

#endif // ODA_UTIL_RANDOM_H
