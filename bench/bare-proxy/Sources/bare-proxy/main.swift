import AsyncHTTPClient
import Hummingbird
import KeelCore
import KeelProviders
import NIOCore
import NIOHTTP1
import NIOPosix

// The benchmark's baselines, each a server with nothing of Keel's pipeline:
//
//   bare-proxy hummingbird|nio proxy PORT UPSTREAM_BASE_URL
//     answers POST /v1/chat/completions through Keel's OpenAI provider alone (the request parsed,
//     sent over Keel's pooled connections, the answer normalised and written back): what Keel's
//     stack costs, served by Hummingbird as Keel is, or by a bare NIO channel handler.
//   bare-proxy hummingbird|nio fixed PORT BODY_FILE
//     answers every request with the same JSON body: what one server hop costs on this machine.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

enum Server: String { case hummingbird, nio }
enum Answer: Sendable {
    case fixed(ByteBuffer)
    case proxy(OpenAIUpstream)

    func respond(to body: ByteBuffer) async throws -> ByteBuffer {
        switch self {
        case .fixed(let answer):
            return answer
        case .proxy(let upstream):
            let request = try ChatCompletionRequest(json: try JSONParser.parse(body.readableBytesView))
            return ByteBuffer(bytes: JSONValue.object(try await upstream.complete(request).json).serialized())
        }
    }
}

/// An HTTP/1.1 server on NIO's channel handlers alone: the body gathered, answered from a task,
/// written back on the channel's event loop.
final class AnsweringHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let answer: Answer
    private var body = ByteBuffer()

    init(answer: Answer) { self.answer = answer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var part): body.writeBuffer(&part)
        case .end:
            Self.answer(body, with: answer, on: NIOLoopBound(context, eventLoop: context.eventLoop))
        }
    }

    private static func answer(_ body: ByteBuffer, with answer: Answer, on context: NIOLoopBound<ChannelHandlerContext>) {
        Task {
            // A failure answers 502, so that wrk counts it rather than timing it as a fast answer.
            let (status, reply): (HTTPResponseStatus, ByteBuffer) =
                if let reply = try? await answer.respond(to: body) { (.ok, reply) } else { (.badGateway, ByteBuffer(string: "{}")) }
            context.eventLoop.execute { write(reply, status: status, to: context.value) }
        }
    }

    private static func write(_ reply: ByteBuffer, status: HTTPResponseStatus, to context: ChannelHandlerContext) {
        let headers: HTTPHeaders = ["content-type": "application/json", "content-length": "\(reply.readableBytes)"]
        context.write(NIOAny(HTTPServerResponsePart.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(reply))), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let server = Server(rawValue: arguments[1]), let port = Int(arguments[3]) else {
    fatalError("usage: bare-proxy hummingbird|nio proxy|fixed PORT UPSTREAM_BASE_URL|BODY_FILE")
}
let answer: Answer
if arguments[2] == "fixed" {
    answer = .fixed(ByteBuffer(bytes: Array(try String(contentsOfFile: arguments[4], encoding: .utf8).utf8)))
} else {
    let client = UpstreamHTTPClient(client: HTTPClient(eventLoopGroupProvider: .singleton))
    answer = .proxy(OpenAIUpstream(endpoint: HTTPEndpoint(name: "upstream", baseURL: arguments[4], apiKey: nil, client: client)))
}

switch server {
case .hummingbird:
    let router = Router()
    router.post("v1/chat/completions") { request, _ -> Response in
        var request = request
        let reply = try await answer.respond(to: try await request.collectBody(upTo: 1 << 20))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: reply))
    }
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    try await app.runService()
case .nio:
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(AnsweringHandler(answer: answer))
            }
        }
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
}
