// WalletManager: the set of loaded wallets of a node (createwallet, loadwallet,
// unloadwallet, listwallets, -wallet=), and the wallet options and start-up that odad's
// wallet service (src/odad.cpp) runs. The node reaches the wallets only through
// interfaces::Chain (interfaces/chain.h), which odad creates (node::MakeChain) and hands over.
//
// Files: <network data dir>/wallets/<name>/wallet.dat (name "" -> wallets/wallet.dat).
// Names may not contain path separators or "..", so a name never escapes wallets/.
#ifndef ODA_WALLET_LOAD_H
#define ODA_WALLET_LOAD_H

#include <interfaces/chain.h>
#include <util/sync.h>
#include <util/threadsafety.h>
#include <wallet/wallet.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

class ArgsManager;
class ChainParams;

class WalletManager
{
public:
    struct Settings {
        std::string wallets_dir;
        bool mainnet{false};
        std::string hrp;
        uint32_t keypool{1000};
        int64_t fallback_fee_per_kvb{0};
    };
    /** `chain` (nullptr: wallets without a chain) is shared with every wallet loaded. */
    WalletManager(Settings settings, std::shared_ptr<interfaces::Chain> chain);
    ~WalletManager();

    /** Throws WalletError: -4 bad name, -35 already loaded, -36 exists, ... */
    std::shared_ptr<CWallet> CreateWallet(const std::string& name, const CWallet::Options& opts);
    /** Throws WalletError: -18 not found, -35 already loaded. */
    std::shared_ptr<CWallet> LoadWallet(const std::string& name);
    /** Throws WalletError(-18) when not loaded. */
    void UnloadWallet(const std::string& name);
    std::vector<std::string> ListWallets() const;
    std::shared_ptr<CWallet> GetWallet(const std::string& name) const;
    std::vector<std::shared_ptr<CWallet>> GetWallets() const;
    /** Names of wallet directories/files found under wallets/ (listwalletdir). */
    std::vector<std::string> ListWalletDir() const;
    /** Path of a wallet's file; throws WalletError(-4) for an invalid name. */
    std::string WalletPath(const std::string& name) const;
    const Settings& GetSettings() const { return m_settings; }
    /** The chain the wallets follow (nullptr without one). */
    interfaces::Chain* Chain() const { return m_chain.get(); }

private:
    const Settings m_settings;
    const std::shared_ptr<interfaces::Chain> m_chain;
    mutable Mutex m_mutex;
    std::map<std::string, std::shared_ptr<CWallet>> m_wallets GUARDED_BY(m_mutex);
};

/** Registers the wallet options: -wallet, -disablewallet, -keypool, -fallbackfee. */
void AddWalletOptions(ArgsManager& args);

/** The wallet service's start (after the node subsystems): unless -disablewallet, creates
 *  the WalletManager over `chain` into *manager and loads (or creates) every -wallet.
 *  False with `error` on an invalid option or a wallet that cannot be opened. */
bool StartWallets(const ArgsManager& args, const ChainParams& params, std::shared_ptr<interfaces::Chain> chain,
                  std::shared_ptr<WalletManager>& manager, std::string& error);

#endif // ODA_WALLET_LOAD_H
