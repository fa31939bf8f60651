// Outcome of validating a transaction or block: valid, or invalid with a
// machine-readable reject reason (as sendrawtransaction/submitblock report it)
// and an optional human-readable debug message.
#ifndef ODA_CONSENSUS_VALIDATION_H
#define ODA_CONSENSUS_VALIDATION_H

#include <string>

/** Why a transaction was rejected. */
enum class TxValidationResult {
    TX_RESULT_UNSET = 0,   //!< not rejected
    TX_CONSENSUS,          //!< invalid by consensus rules
    TX_INPUTS_NOT_STANDARD,
    TX_NOT_STANDARD,       //!< valid by consensus, rejected by policy
    TX_MISSING_INPUTS,     //!< spends an unknown output (maybe an orphan)
    TX_PREMATURE_SPEND,    //!< immature coinbase or time-locked
    TX_CONFLICT,           //!< double spend of a mempool transaction's input
    TX_MEMPOOL_POLICY,     //!< fee too low, mempool full, too long chain
    TX_DATA_UNAVAILABLE,   //!< (ODA) references a file the node does not have
};

/** Why a block was rejected. */
enum class BlockValidationResult {
    BLOCK_RESULT_UNSET = 0,
    BLOCK_CONSENSUS,        //!< invalid by consensus rules
    BLOCK_MUTATED,          //!< body does not match the header (merkle mutation): the hash may still be valid
    BLOCK_CACHED_INVALID,   //!< already known invalid
    BLOCK_INVALID_HEADER,   //!< proof of work or time rules
    BLOCK_MISSING_PREV,     //!< previous block unknown
    BLOCK_INVALID_PREV,     //!< descends from an invalid block
    BLOCK_TIME_FUTURE,      //!< timestamp too far in the future (may become valid)
    BLOCK_DATA_UNAVAILABLE, //!< (ODA) waits for a model file: neither valid nor invalid
};

template <typename Result>
class ValidationState
{
    enum class Mode { VALID, INVALID, ERROR } m_mode{Mode::VALID};
    Result m_result{};
    std::string m_reject_reason;
    std::string m_debug_message;

public:
    /** Marks invalid; always returns false so callers can `return state.Invalid(...)`. */
    bool Invalid(Result result, const std::string& reject_reason, const std::string& debug_message = "")
    {
        m_result = result;
        m_reject_reason = reject_reason;
        m_debug_message = debug_message;
        if (m_mode != Mode::ERROR) m_mode = Mode::INVALID;
        return false;
    }
    /** A system error (disk, database), not the object's fault. */
    bool Error(const std::string& reject_reason)
    {
        if (m_mode == Mode::VALID) m_reject_reason = reject_reason;
        m_mode = Mode::ERROR;
        return false;
    }
    bool IsValid() const { return m_mode == Mode::VALID; }
    bool IsInvalid() const { return m_mode == Mode::INVALID; }
    bool IsError() const { return m_mode == Mode::ERROR; }
    Result GetResult() const { return m_result; }
    const std::string& GetRejectReason() const { return m_reject_reason; }
    const std::string& GetDebugMessage() const { return m_debug_message; }
    std::string ToString() const
    {
        if (IsValid()) return "Valid";
        return m_debug_message.empty() ? m_reject_reason : m_reject_reason + ", " + m_debug_message;
    }
};

class TxValidationState : public ValidationState<TxValidationResult> {};
class BlockValidationState : public ValidationState<BlockValidationResult> {};

#endif // ODA_CONSENSUS_VALIDATION_H
