import AsyncHTTPClient
import Hummingbird
import NIOCore
import NIOPosix

// `bare-proxy PORT UPSTREAM_URL`: forwards every POST to /v1/chat/completions to UPSTREAM_URL and
// answers with the upstream's body. Set up as Keel sets up the same parts: NIO's event loops as the
// global executor, a pooled client without redirects or its own spans.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let port = Int(CommandLine.arguments[1])!
let upstream = CommandLine.arguments[2]
var configuration = HTTPClient.Configuration()
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
configuration.redirectConfiguration = .disallow
configuration.tracing.tracer = nil
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

let router = Router()
router.post("v1/chat/completions") { request, _ -> Response in
    var request = request
    var call = HTTPClientRequest(url: upstream)
    call.method = .POST
    call.headers.add(name: "content-type", value: "application/json")
    call.body = .bytes(try await request.collectBody(upTo: 1 << 20))
    let answer = try await client.execute(call, timeout: .seconds(30))
    let body = try await answer.body.collect(upTo: 1 << 20)
    return Response(status: .init(code: Int(answer.status.code)), headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
