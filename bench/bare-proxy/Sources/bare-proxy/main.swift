import AsyncHTTPClient
import Hummingbird
import KeelCore
import KeelProviders
import NIOCore
import NIOPosix

// `bare-proxy PORT UPSTREAM_BASE_URL`: answers POST /v1/chat/completions through Keel's OpenAI
// provider alone (the request parsed, sent, the answer normalised and written back), set up as Keel
// sets it up, with none of the pipeline's stages: no key, route, limits, log, metrics or traces.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let port = Int(CommandLine.arguments[1])!
let client = UpstreamHTTPClient(client: HTTPClient(eventLoopGroupProvider: .singleton))
let upstream = OpenAIUpstream(endpoint: HTTPEndpoint(baseURL: CommandLine.arguments[2], apiKey: nil, client: client, timeout: .seconds(30)))

let router = Router()
router.post("v1/chat/completions") { request, _ -> Response in
    var request = request
    let json = try JSONParser.parse(try await request.collectBody(upTo: 1 << 20).readableBytesView)
    let completion = try await upstream.complete(try ChatCompletionRequest(json: json))
    let body = ByteBuffer(bytes: JSONValue.object(completion.json).serialized())
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
