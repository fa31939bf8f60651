// Small helpers for the net layer's files (peers.dat, banlist.dat): whole-file read, atomic
// write (temporary file + rename), and the checksummed envelope both files use:
// magic(4) | version(1) | network magic(4) | body | SHA256d(all preceding bytes)(32).
#ifndef ODA_NET_FILEUTIL_H
#define ODA_NET_FILEUTIL_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace net {

/** Reads at most max_size bytes; nullopt (error set) if missing, unreadable or larger. */
std::optional<std::vector<uint8_t>> ReadWholeFile(const std::string& path, size_t max_size, std::string& error);
/** Writes path.new then renames it over path. */
bool WriteFileAtomic(const std::string& path, const std::vector<uint8_t>& data, std::string& error);

std::vector<uint8_t> WrapEnvelope(const std::array<uint8_t, 4>& file_magic, uint8_t version,
                                  const std::array<uint8_t, 4>& network_magic, const std::vector<uint8_t>& body);
/** The body, or nullopt with error for wrong magic/version/network or bad checksum. */
std::optional<std::vector<uint8_t>> UnwrapEnvelope(const std::vector<uint8_t>& file, const std::array<uint8_t, 4>& file_magic,
                                                   uint8_t version, const std::array<uint8_t, 4>& network_magic,
                                                   std::string& error);

/** A generator seeded from the OS (not for secrets or consensus). */
uint64_t RandomSeed();

} // namespace net

#endif // ODA_NET_FILEUTIL_H
