import Foundation

extension Topology {
    /// A hub the agencies talk through (`topology.hubs.<id>`).
    public struct Hub: Sendable, Equatable {
        /// The hub's identifier, e.g. `main`.
        public var id: String
        /// Where agents publish (`ingress`).
        public var ingress: Endpoint
        /// Where agents subscribe (`egress`).
        public var egress: Endpoint
        /// Where agents ask for a replay of missed messages (`replay`).
        public var replay: Endpoint

        /// The identifier of the hub a file gets when it names none.
        public static let defaultID = "main"

        /// Creates a hub; every endpoint defaults to ``Endpoint/anyLoopbackPort``.
        public init(
            id: String, ingress: Endpoint = .anyLoopbackPort, egress: Endpoint = .anyLoopbackPort,
            replay: Endpoint = .anyLoopbackPort
        ) {
            self.id = id
            self.ingress = ingress
            self.egress = egress
            self.replay = replay
        }
    }

    /// A ZeroMQ endpoint a hub binds: `tcp://host:port` (port `*` for any free port),
    /// `ipc://path` or `inproc://name`.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// The ZeroMQ transports a hub can bind.
        public enum Transport: String, Sendable, Hashable, CaseIterable {
            /// TCP, `tcp://host:port`.
            case tcp
            /// Unix domain sockets, `ipc://path`.
            case ipc
            /// Inside one process, `inproc://name`.
            case inproc
        }

        /// The transport, from the scheme.
        public let transport: Transport
        /// Everything after `://`.
        public let address: String

        /// `tcp://127.0.0.1:*`: loopback, any free port; the default of every hub endpoint.
        public static let anyLoopbackPort = Endpoint(transport: .tcp, address: "127.0.0.1:*")

        /// The endpoint as ZeroMQ reads it, e.g. `tcp://127.0.0.1:5560`.
        public var description: String { "\(transport.rawValue)://\(address)" }

        /// True when the port is chosen by the system at bind time (`tcp://…:*`), so two hubs
        /// may share the spelling without sharing the socket.
        public var isWildcardPort: Bool { transport == .tcp && address.hasSuffix(":*") }

        private init(transport: Transport, address: String) {
            self.transport = transport
            self.address = address
        }

        /// Reads and checks an endpoint; a failure says why the text is not one a hub can bind.
        public static func parse(_ text: String) -> Result<Endpoint, EndpointSyntaxError> {
            guard let separator = text.range(of: "://") else {
                return .failure(EndpointSyntaxError(message: "missing \"://\"; \(hint)"))
            }
            let scheme = String(text[..<separator.lowerBound])
            let address = String(text[separator.upperBound...])
            guard let transport = Transport(rawValue: scheme) else {
                return .failure(EndpointSyntaxError(
                    message: "unknown transport \"\(scheme)\"; expected tcp, ipc or inproc; \(hint)"))
            }
            guard !address.isEmpty, !address.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                return .failure(EndpointSyntaxError(message: "empty address or address with spaces; \(hint)"))
            }
            if transport == .tcp, let problem = tcpProblem(address) {
                return .failure(EndpointSyntaxError(message: "\(problem); \(hint)"))
            }
            return .success(Endpoint(transport: transport, address: address))
        }

        static let hint = "e.g. tcp://127.0.0.1:5560, tcp://127.0.0.1:*, ipc:///tmp/tansiq-hub, inproc://hub"

        private static func tcpProblem(_ address: String) -> String? {
            guard let colon = address.lastIndex(of: ":") else {
                return "a tcp endpoint needs host:port"
            }
            let host = address[..<colon]
            let port = address[address.index(after: colon)...]
            if host.isEmpty { return "a tcp endpoint needs a host (or * for every interface)" }
            if host.hasPrefix("[") != host.hasSuffix("]") { return "unbalanced brackets around an IPv6 host" }
            let hostCharacters = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.*:[]_%".contains($0)) }
            if !hostCharacters { return "invalid host \"\(host)\"" }
            if port == "*" { return nil }
            guard let number = Int(port), (1...65_535).contains(number) else {
                return "port \"\(port)\" is not 1–65535 or *"
            }
            return nil
        }
    }

    /// Why a text is not a hub endpoint.
    public struct EndpointSyntaxError: Error, Sendable, Hashable {
        /// What is wrong and what is expected.
        public var message: String
    }
}
