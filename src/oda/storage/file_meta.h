// The sidecar record `<pieces root hex>.meta` kept next to each stored file in
// `<datadir>/odafiles/` (layout in doc/files.md): what import learnt about the file (its
// FileInfo), the size and modification time the file had when it was stored, and its 16 KiB
// block hashes. Start-up trusts the record for a file whose size and time are unchanged and
// spot-checks a few blocks against the hashes instead of hashing and parsing the whole file
// again (what is verified when: file_store.h).
//
// Encoding (serialize.h conventions): "ODAM" · u8 version 1 · u8 kind · u64 size ·
// i64 mtime (ns) · h architecture hash · u32 layer count · u64 sample count ·
// [u32] input shape · [u32] target shape · [h] block hashes · 32-byte SHA-256 of all bytes
// before it. DecodeFileMeta rejects anything else (bad checksum, trailing bytes, a block
// count that does not fit the size) and never throws.
#ifndef ODA_ODA_STORAGE_FILE_META_H
#define ODA_ODA_STORAGE_FILE_META_H

#include <oda/storage/file_check.h>
#include <uint256.h>

#include <cstdint>
#include <string>
#include <vector>

namespace oda::storage {

struct FileMeta {
    FileInfo info;
    int64_t mtime_ns{0};          //!< modification time of the stored file when recorded
    std::vector<uint256> leaves;  //!< SHA-256 of each 16 KiB block

    bool operator==(const FileMeta& o) const { return info == o.info && mtime_ns == o.mtime_ns && leaves == o.leaves; }
};

/** Upper bound on a sidecar for a file of at most max_file_bytes (read limit). */
uint64_t MaxFileMetaBytes(uint64_t max_file_bytes);

std::vector<uint8_t> EncodeFileMeta(const FileMeta& meta);
/** Also checks that the leaves hash to info.commitment.pieces_root and that their count fits
 *  the size, so a decoded record is self-consistent. */
[[nodiscard]] bool DecodeFileMeta(const uint8_t* data, size_t size, FileMeta& out, std::string& error);

} // namespace oda::storage

#endif // ODA_ODA_STORAGE_FILE_META_H
