// WalletManager: the set of loaded wallets of a node (createwallet, loadwallet,
// unloadwallet, listwallets, -wallet=), and the wallet's NodeService for odad.
//
// Files: <network data dir>/wallets/<name>/wallet.dat (name "" -> wallets/wallet.dat).
// Names may not contain path separators or "..", so a name never escapes wallets/.
#ifndef ODA_WALLET_LOAD_H
#define ODA_WALLET_LOAD_H

#include <node/init.h>
#include <wallet/wallet.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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
    WalletManager(Settings settings, node::ChainstateManager* chainman, CTxMemPool* mempool);
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

private:
    Settings m_settings;
    node::ChainstateManager* m_chainman;
    CTxMemPool* m_mempool;
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<CWallet>> m_wallets;
};

/** odad's wallet service: options -wallet, -disablewallet, -keypool, -fallbackfee;
 *  start (after the node subsystems) creates the WalletManager and loads every -wallet. */
NodeService MakeWalletService();

#endif // ODA_WALLET_LOAD_H
