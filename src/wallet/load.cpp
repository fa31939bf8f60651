#include <wallet/load.h>

#include <consensus/chainparams.h>
#include <util/args.h>
#include <util/logging.h>
#include <util/rpc_errors.h>

#include <algorithm>
#include <filesystem>

WalletManager::WalletManager(Settings settings, std::shared_ptr<interfaces::Chain> chain)
    : m_settings(std::move(settings)), m_chain(std::move(chain))
{
    // Each wallet follows the mempool and the chain itself (CWallet::AttachChain).
}

WalletManager::~WalletManager()
{
    std::map<std::string, std::shared_ptr<CWallet>> wallets;
    {
        LOCK(m_mutex);
        wallets.swap(m_wallets);
    }
    // Without m_mutex: DetachChain waits for running callbacks.
    for (auto& [name, w] : wallets) w->DetachChain();
}

std::string WalletManager::WalletPath(const std::string& name) const
{
    if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "." || name == ".." ||
        name.size() > 255 || name.find('\0') != std::string::npos) {
        throw WalletError(RPC_WALLET_ERROR, "Invalid wallet name '" + name + "': it may not contain path separators or be . or ..");
    }
    std::filesystem::path dir(m_settings.wallets_dir);
    if (name.empty()) return (dir / "wallet.dat").string();
    return (dir / name / "wallet.dat").string();
}

std::shared_ptr<CWallet> WalletManager::CreateWallet(const std::string& name, const CWallet::Options& opts)
{
    const std::string path = WalletPath(name);
    {
        LOCK(m_mutex);
        if (m_wallets.count(name)) throw WalletError(RPC_WALLET_ALREADY_LOADED, "Wallet \"" + name + "\" is already loaded.");
    }
    if (std::filesystem::exists(path)) throw WalletError(RPC_WALLET_ALREADY_EXISTS, "Failed to create database path '" + path + "'. Database already exists.");
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) throw WalletError(RPC_WALLET_ERROR, "Cannot create wallet directory: " + ec.message());
    CWallet::Options o = opts;
    o.keypool = m_settings.keypool;
    auto w = CWallet::Create(name, path, m_settings.mainnet, m_settings.hrp, o);
    w->AttachChain(m_chain, m_settings.fallback_fee_per_kvb);
    LOCK(m_mutex);
    m_wallets[name] = w;
    LogPrintf("Wallet \"%s\" created at %s\n", name.c_str(), path.c_str());
    return w;
}

std::shared_ptr<CWallet> WalletManager::LoadWallet(const std::string& name)
{
    const std::string path = WalletPath(name);
    {
        LOCK(m_mutex);
        if (m_wallets.count(name)) throw WalletError(RPC_WALLET_ALREADY_LOADED, "Wallet \"" + name + "\" is already loaded.");
    }
    if (!std::filesystem::exists(path)) throw WalletError(RPC_WALLET_NOT_FOUND, "Wallet file verification failed. Failed to load database path '" + path + "'. Path does not exist.");
    auto w = CWallet::Load(name, path, m_settings.mainnet, m_settings.hrp, m_settings.keypool);
    w->AttachChain(m_chain, m_settings.fallback_fee_per_kvb);
    LOCK(m_mutex);
    m_wallets[name] = w;
    LogPrintf("Wallet \"%s\" loaded from %s\n", name.c_str(), path.c_str());
    return w;
}

void WalletManager::UnloadWallet(const std::string& name)
{
    std::shared_ptr<CWallet> w;
    {
        LOCK(m_mutex);
        auto it = m_wallets.find(name);
        if (it == m_wallets.end()) throw WalletError(RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
        w = it->second;
        m_wallets.erase(it);
    }
    w->DetachChain();
}

std::vector<std::string> WalletManager::ListWallets() const
{
    LOCK(m_mutex);
    std::vector<std::string> out;
    for (const auto& [name, w] : m_wallets) out.push_back(name);
    return out;
}

std::shared_ptr<CWallet> WalletManager::GetWallet(const std::string& name) const
{
    LOCK(m_mutex);
    auto it = m_wallets.find(name);
    return it == m_wallets.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<CWallet>> WalletManager::GetWallets() const
{
    LOCK(m_mutex);
    std::vector<std::shared_ptr<CWallet>> out;
    for (const auto& [name, w] : m_wallets) out.push_back(w);
    return out;
}

std::vector<std::string> WalletManager::ListWalletDir() const
{
    std::vector<std::string> out;
    std::error_code ec;
    const std::filesystem::path dir(m_settings.wallets_dir);
    if (std::filesystem::exists(dir / "wallet.dat", ec)) out.push_back("");
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_directory(ec) && std::filesystem::exists(entry.path() / "wallet.dat", ec)) out.push_back(entry.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void AddWalletOptions(ArgsManager& args)
{
    using OC = OptionsCategory;
    args.AddArg("-wallet=<name>", "Load (or create when missing) the wallet <name> at start-up; may be given more than once", ArgsManager::ALLOW_ANY, OC::WALLET);
    args.AddArg("-disablewallet", "Do not load the wallet and disable wallet RPC calls", ArgsManager::ALLOW_ANY, OC::WALLET);
    args.AddArg("-keypool=<n>", "Set key pool size (lookahead) to <n> (default: 1000)", ArgsManager::ALLOW_ANY, OC::WALLET);
    args.AddArg("-fallbackfee=<amt>", "Fee rate (in coins/kvB) used when the fee cannot be estimated (default: 0.0002)", ArgsManager::ALLOW_ANY, OC::WALLET);
}

bool StartWallets(const ArgsManager& args, const ChainParams& params, std::shared_ptr<interfaces::Chain> chain,
                  std::shared_ptr<WalletManager>& manager, std::string& error)
{
    if (args.GetBoolArg("-disablewallet", false)) return true;
    WalletManager::Settings s;
    s.wallets_dir = (args.GetDataDirNet() / "wallets").string();
    s.mainnet = params.GetChainType() == ChainType::MAIN;
    s.hrp = params.Bech32HRP();
    const int64_t keypool = args.GetIntArg("-keypool", 1000);
    s.keypool = static_cast<uint32_t>(std::clamp<int64_t>(keypool, 1, 100000));
    const std::string fallback = args.GetArg("-fallbackfee", "0.0002");
    // coins/kvB with up to 8 decimals -> units/kvB
    {
        size_t dot = fallback.find('.');
        std::string whole = fallback.substr(0, dot);
        std::string frac = dot == std::string::npos ? "" : fallback.substr(dot + 1);
        bool ok = !fallback.empty() && frac.size() <= 8 && whole.size() <= 8 &&
                  whole.find_first_not_of("0123456789") == std::string::npos &&
                  frac.find_first_not_of("0123456789") == std::string::npos;
        if (!ok) {
            error = "Invalid amount for -fallbackfee=<amount>: '" + fallback + "'";
            return false;
        }
        frac.resize(8, '0');
        s.fallback_fee_per_kvb = (whole.empty() ? 0 : std::stoll(whole)) * 100000000LL + std::stoll(frac);
    }
    std::error_code ec;
    std::filesystem::create_directories(s.wallets_dir, ec);
    manager = std::make_shared<WalletManager>(s, std::move(chain));
    for (const std::string& name : args.GetArgs("-wallet")) {
        try {
            if (std::filesystem::exists(manager->WalletPath(name))) {
                manager->LoadWallet(name);
            } else {
                manager->CreateWallet(name, CWallet::Options{});
            }
        } catch (const WalletError& e) {
            error = std::string("Wallet \"") + name + "\": " + e.what();
            return false;
        }
    }
    return true;
}
