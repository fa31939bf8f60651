// Unit tests for the JSON-RPC dispatcher (rpc/server, rpc/request), without sockets.
#include <node/context.h>
#include <rpc/register.h>
#include <rpc/server.h>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

namespace {
using json = nlohmann::json;

json Add(const JSONRPCRequest& r)
{
    int64_t a = r.params[0].get<int64_t>();
    int64_t b = r.params.size() > 1 && !r.params[1].is_null() ? r.params[1].get<int64_t>() : 10;
    return a + b;
}

struct DispatchSetup {
    CRPCTable table;
    NodeContext node;
    JSONRPCRequest base;
    DispatchSetup()
    {
        RegisterAllRPCCommands(table);
        table.AppendCommand({"test", "add", &Add,
                             RPCHelp{"add", "Adds two numbers.",
                                     {{"a", RPCArg::Type::NUM, RPCArg::REQUIRED, "first"},
                                      {"b", RPCArg::Type::NUM, RPCArg::OPTIONAL, "second", "10"}},
                                     "n (numeric) the sum", ""}});
        table.AppendCommand({"test", "throwstd", [](const JSONRPCRequest&) -> json { throw std::runtime_error("boom"); },
                             RPCHelp{"throwstd", "Throws.", {}, "", ""}});
        table.AppendCommand({"test", "throwrpc",
                             [](const JSONRPCRequest&) -> json { throw JSONRPCError(RPC_INVALID_PARAMETER, "bad thing"); },
                             RPCHelp{"throwrpc", "Throws an RPC error.", {}, "", ""}});
        table.AppendCommand({"test", "wallet", [](const JSONRPCRequest& r) -> json {
                                 std::string name;
                                 if (!r.GetWalletName(name)) return nullptr;
                                 return name;
                             },
                             RPCHelp{"wallet", "Wallet name from the URI.", {}, "", ""}});
        table.SetWarmupFinished();
        node.rpc_table = &table;
        node.start_time = 1;
        base.context = &node;
        base.uri = "/";
    }
    RPCHTTPReply Call(const std::string& body) { return ProcessJSONRPCBody(table, body, base); }
    json CallJSON(const std::string& body, int expected_status)
    {
        RPCHTTPReply r = Call(body);
        BOOST_CHECK_EQUAL(r.status, expected_status);
        return json::parse(r.body);
    }
};
} // namespace

BOOST_FIXTURE_TEST_SUITE(rpc_server_tests, DispatchSetup)

BOOST_AUTO_TEST_CASE(legacy_success_and_id_echo)
{
    json r = CallJSON(R"({"method":"add","params":[1,2],"id":"abc"})", 200);
    BOOST_CHECK_EQUAL(r["result"], 3);
    BOOST_CHECK(r["error"].is_null());
    BOOST_CHECK_EQUAL(r["id"], "abc");
    BOOST_CHECK(!r.contains("jsonrpc"));
    // 1.0 without id: still answered, id null.
    r = CallJSON(R"({"method":"add","params":[5]})", 200);
    BOOST_CHECK_EQUAL(r["result"], 15);
    BOOST_CHECK(r["id"].is_null());
    r = CallJSON(R"({"jsonrpc":"1.0","method":"add","params":[5],"id":7})", 200);
    BOOST_CHECK_EQUAL(r["id"], 7);
}

BOOST_AUTO_TEST_CASE(legacy_errors_and_status)
{
    json r = CallJSON(R"({"method":"nosuch","params":[],"id":1})", 404);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_METHOD_NOT_FOUND);
    BOOST_CHECK(r["result"].is_null());
    BOOST_CHECK_EQUAL(r["id"], 1);
    r = CallJSON(R"({"method":"throwstd","id":2})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_MISC_ERROR);
    BOOST_CHECK_EQUAL(r["error"]["message"], "boom");
    r = CallJSON(R"({"method":"throwrpc","id":3})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(r["error"]["message"], "bad thing");
    r = CallJSON(R"({"method":5,"id":4})", 400);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_REQUEST);
    BOOST_CHECK_EQUAL(r["id"], 4);
    r = CallJSON(R"({"method":"add","params":"x","id":5})", 400);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_REQUEST);
    r = CallJSON("{not json", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_PARSE_ERROR);
    BOOST_CHECK(r["id"].is_null());
    r = CallJSON("42", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_PARSE_ERROR);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_a_parse_error)
{
    // Deeply nested input must not exhaust the stack: rejected before parsing.
    const size_t n = 100000;
    std::string deep = R"({"method":"echo","id":1,"params":[)" + std::string(n, '[') + std::string(n, ']') + "]}";
    json r = CallJSON(deep, 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_PARSE_ERROR);
    // Within the limit it works.
    std::string ok = R"({"method":"echo","id":1,"params":[)" + std::string(100, '[') + std::string(100, ']') + "]}";
    r = CallJSON(ok, 200);
    BOOST_CHECK(r["result"].is_array());
}

BOOST_AUTO_TEST_CASE(v2_shapes_and_notifications)
{
    json r = CallJSON(R"({"jsonrpc":"2.0","method":"add","params":[1,1],"id":9})", 200);
    BOOST_CHECK_EQUAL(r["jsonrpc"], "2.0");
    BOOST_CHECK_EQUAL(r["result"], 2);
    BOOST_CHECK(!r.contains("error"));
    BOOST_CHECK_EQUAL(r["id"], 9);
    // Errors in 2.0: HTTP 200, no "result" key.
    r = CallJSON(R"({"jsonrpc":"2.0","method":"nosuch","id":10})", 200);
    BOOST_CHECK(!r.contains("result"));
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_METHOD_NOT_FOUND);
    // Explicit null id is not a notification.
    r = CallJSON(R"({"jsonrpc":"2.0","method":"add","params":[1],"id":null})", 200);
    BOOST_CHECK_EQUAL(r["result"], 11);
    // A notification runs but gets no response.
    RPCHTTPReply none = Call(R"({"jsonrpc":"2.0","method":"stop"})");
    BOOST_CHECK_EQUAL(none.status, 204);
    BOOST_CHECK(none.body.empty());
    BOOST_CHECK(node.ShutdownRequested()); // it did run
    r = CallJSON(R"({"jsonrpc":"3.0","method":"add","params":[1],"id":1})", 400);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_REQUEST);
}

BOOST_AUTO_TEST_CASE(batches)
{
    json r = CallJSON(R"([{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1},
                          {"jsonrpc":"2.0","method":"add","params":[3]},
                          {"method":"nosuch","id":3},
                          17,
                          {"jsonrpc":"2.0","method":"add","params":[0,0],"id":"last"}])", 200);
    BOOST_REQUIRE(r.is_array());
    BOOST_REQUIRE_EQUAL(r.size(), 4u); // the notification is omitted
    BOOST_CHECK_EQUAL(r[0]["result"], 3);
    BOOST_CHECK_EQUAL(r[0]["id"], 1);
    BOOST_CHECK_EQUAL(r[1]["error"]["code"], RPC_METHOD_NOT_FOUND); // error inside a batch keeps 200
    BOOST_CHECK_EQUAL(r[2]["error"]["code"], RPC_INVALID_REQUEST);
    BOOST_CHECK(r[2]["id"].is_null());
    BOOST_CHECK_EQUAL(r[3]["id"], "last");
    RPCHTTPReply only_notifications = Call(R"([{"jsonrpc":"2.0","method":"uptime"}])");
    BOOST_CHECK_EQUAL(only_notifications.status, 204);
    json empty = CallJSON("[]", 200);
    BOOST_CHECK(empty.is_array() && empty.empty());
}

BOOST_AUTO_TEST_CASE(named_params)
{
    json r = CallJSON(R"({"method":"add","params":{"a":4,"b":5},"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], 9);
    r = CallJSON(R"({"method":"add","params":{"a":4},"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], 14);
    r = CallJSON(R"({"method":"add","params":{"b":4},"id":1})", 500); // required "a" missing
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_MISC_ERROR);
    BOOST_CHECK(r["error"]["message"].get<std::string>().find("add a ( b )") != std::string::npos);
    r = CallJSON(R"({"method":"add","params":{"a":1,"c":2},"id":1})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_PARAMETER);
    BOOST_CHECK_EQUAL(r["error"]["message"], "Unknown named parameter c");

    json mapped = TransformNamedParams(json{{"b", 2}}, {"a", "b", "c"});
    BOOST_CHECK_EQUAL(mapped, json::parse("[null,2]"));
}

BOOST_AUTO_TEST_CASE(argument_checks)
{
    json r = CallJSON(R"({"method":"add","params":[1,2,3],"id":1})", 500); // too many
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_MISC_ERROR);
    r = CallJSON(R"({"method":"add","params":[],"id":1})", 500); // too few
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_MISC_ERROR);
    r = CallJSON(R"({"method":"add","params":["1"],"id":1})", 500); // wrong type
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_TYPE_ERROR);
    BOOST_CHECK_EQUAL(r["error"]["message"], "JSON value of type string for field a is not of expected type integer");
}

BOOST_AUTO_TEST_CASE(warmup)
{
    table.SetWarmupStatus("Loading block index...");
    json r = CallJSON(R"({"method":"add","params":[1],"id":1})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_IN_WARMUP);
    BOOST_CHECK_EQUAL(r["error"]["message"], "Loading block index...");
    r = CallJSON(R"({"method":"uptime","id":1})", 200); // allowed during warmup
    BOOST_CHECK(r["result"].is_number());
    table.SetWarmupFinished();
    r = CallJSON(R"({"method":"add","params":[1],"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], 11);
}

BOOST_AUTO_TEST_CASE(control_commands)
{
    json r = CallJSON(R"({"method":"help","id":1})", 200);
    std::string help = r["result"];
    BOOST_CHECK(help.find("== Control ==") != std::string::npos);
    BOOST_CHECK(help.find("\nstop\n") != std::string::npos);
    BOOST_CHECK(help.find("== Test ==") != std::string::npos);
    BOOST_CHECK(help.find("echo") == std::string::npos); // hidden
    r = CallJSON(R"({"method":"help","params":["add"],"id":1})", 200);
    BOOST_CHECK(r["result"].get<std::string>().find("Adds two numbers.") != std::string::npos);
    BOOST_CHECK(r["result"].get<std::string>().find("2. b") != std::string::npos);
    r = CallJSON(R"({"method":"help","params":["nosuch"],"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], "help: unknown command: nosuch");

    r = CallJSON(R"({"method":"echo","params":["a",{"b":1}],"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], json::parse(R"(["a",{"b":1}])"));

    BOOST_CHECK(!node.ShutdownRequested());
    r = CallJSON(R"({"method":"stop","id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], "ODA server stopping");
    BOOST_CHECK(node.ShutdownRequested());

    // logging without a logger in the context is an internal error, not a crash.
    r = CallJSON(R"({"method":"logging","id":1})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INTERNAL_ERROR);
    node.logger = std::make_unique<BCLog::Logger>();
    r = CallJSON(R"({"method":"logging","params":[["net","rpc"],["rpc"]],"id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"]["net"], true);
    BOOST_CHECK_EQUAL(r["result"]["rpc"], false);
    BOOST_CHECK_EQUAL(r["result"]["mempool"], false);
    r = CallJSON(R"({"method":"logging","params":[["bogus"]],"id":1})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_PARAMETER);

    node.start_time = 1000;
    node.clock.SetMockTime(1500);
    r = CallJSON(R"({"method":"uptime","id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], 500);
    r = CallJSON(R"({"method":"setmocktime","params":[2000],"id":1})", 200);
    BOOST_CHECK(r["result"].is_null());
    BOOST_CHECK_EQUAL(node.clock.Now(), 2000);
    r = CallJSON(R"({"method":"setmocktime","params":[-1],"id":1})", 500);
    BOOST_CHECK_EQUAL(r["error"]["code"], RPC_INVALID_PARAMETER);
    node.clock.SetMockTime(0);

    r = CallJSON(R"({"method":"getrpcinfo","id":1})", 200);
    BOOST_REQUIRE(r["result"]["active_commands"].is_array());
    BOOST_CHECK_EQUAL(r["result"]["active_commands"].size(), 1u); // getrpcinfo itself
    BOOST_CHECK_EQUAL(r["result"]["active_commands"][0]["method"], "getrpcinfo");

    base.uri = "/wallet/my%20wallet";
    r = CallJSON(R"({"method":"wallet","id":1})", 200);
    BOOST_CHECK_EQUAL(r["result"], "my wallet");
}

BOOST_AUTO_TEST_CASE(table_management)
{
    BOOST_CHECK(!table.AppendCommand({"test", "add", &Add, RPCHelp{"add", "dup", {}, "", ""}}));
    BOOST_CHECK(table.GetCommand("add") != nullptr);
    BOOST_CHECK(table.RemoveCommand("add"));
    BOOST_CHECK(table.GetCommand("add") == nullptr);
    BOOST_CHECK(!table.RemoveCommand("add"));
    auto names = table.ListCommands();
    BOOST_CHECK(std::is_sorted(names.begin(), names.end()));
}

BOOST_AUTO_TEST_SUITE_END()
