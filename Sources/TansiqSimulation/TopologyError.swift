import TansiqAgent
import TansiqMessages
/// One mistake in a topology file: where it is (file and key path) and what is wrong.
public struct TopologyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of mistake, stable for tools and tests.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The code's name, e.g. `unknownKey`.
        public var description: String { name }

        /// The file could not be read.
        public static let unreadableFile = Code("unreadableFile")
        /// The text is not valid YAML.
        public static let yamlSyntax = Code("yamlSyntax")
        /// A key the format does not define.
        public static let unknownKey = Code("unknownKey")
        /// A key appears twice in one mapping.
        public static let duplicateKey = Code("duplicateKey")
        /// A required key is absent or has no value.
        public static let missingKey = Code("missingKey")
        /// A value of the wrong type (a list where a mapping is expected, text for a number…).
        public static let wrongType = Code("wrongType")
        /// An identifier that is not `[a-z0-9][a-z0-9-]*`, 1–63 characters.
        public static let invalidIdentifier = Code("invalidIdentifier")
        /// A role that is not `commune`, `iom`, `service` or `civil-society`.
        public static let unknownRole = Code("unknownRole")
        /// A service category that is not one of the ten codes.
        public static let unknownServiceCategory = Code("unknownServiceCategory")
        /// A priority that is not `routine`, `urgent`, `asap` or `stat`.
        public static let unknownPriority = Code("unknownPriority")
        /// A value outside the set the key accepts (distribution, process, fault kind, unit).
        public static let unknownValue = Code("unknownValue")
        /// A duration that does not follow the duration syntax.
        public static let invalidDuration = Code("invalidDuration")
        /// A rate that is not `N/unit`.
        public static let invalidRate = Code("invalidRate")
        /// Distribution parameters that make no sense (zero mean, `max < min`, `p90 < median`…).
        public static let invalidDistribution = Code("invalidDistribution")
        /// A probability outside [0, 1], or probabilities summing above 1.
        public static let invalidProbability = Code("invalidProbability")
        /// A number outside its range (agents, capacity, time scale, weights, counts, times).
        public static let outOfRange = Code("outOfRange")
        /// A reference to a node the topology does not define.
        public static let unknownNode = Code("unknownNode")
        /// A reference to a hub the topology does not define.
        public static let unknownHub = Code("unknownHub")
        /// Not exactly one coordinator, or a coordinator that is not a commune.
        public static let coordinator = Code("coordinator")
        /// A link routes a category its receiving node does not offer.
        public static let serviceNotOffered = Code("serviceNotOffered")
        /// The scenario needs a category that no node offers.
        public static let unofferedNeed = Code("unofferedNeed")
        /// A subscription prefix that is empty, too long or has spaces or control characters.
        public static let invalidSubscription = Code("invalidSubscription")
        /// A link from a node to itself.
        public static let invalidLink = Code("invalidLink")
        /// A hub endpoint ZeroMQ cannot bind.
        public static let invalidEndpoint = Code("invalidEndpoint")
        /// The same thing twice where it must be unique (an endpoint, a link, a referrer).
        public static let duplicate = Code("duplicate")
    }

    /// The class of mistake.
    public var code: Code
    /// What is wrong and what is expected.
    public var message: String
    /// The file, as the user named it.
    public var file: String
    /// Where in the document, e.g. `topology.nodes.health-delegation-agadir.services.health.capacity`;
    /// empty for the whole document.
    public var keyPath: String
    /// The 1-based line of the offending text, when known.
    public var line: Int?
    /// The 1-based column of the offending text, when known.
    public var column: Int?

    /// Creates an error.
    public init(code: Code, message: String, file: String, keyPath: String, line: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.column = column
    }

    /// `FILE: KEYPATH: message` (`FILE: message` for the whole document).
    public var description: String {
        keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)"
    }
}
