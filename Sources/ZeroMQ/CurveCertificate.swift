import Foundation

/// A CURVE certificate file: a public key, optionally the secret key, and metadata, in the
/// ZPL text format of CZMQ's `zcert` (read by pyzmq's `zmq.auth.load_certificate` too).
///
/// A public certificate, `NAME.key`:
/// ```
/// #   ZeroMQ CURVE Public Certificate
/// metadata
///     agency = "iom-agadir"
/// curve
///     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
/// ```
/// The secret certificate, `NAME.secret` (file mode 0600), adds `secret-key = "…"` under
/// `curve`. Lines starting with `#` are comments; indentation is four spaces or a tab.
public struct CurveCertificate: Sendable, Equatable {
    /// The public key, Z85 (40 characters).
    public var publicKey: String
    /// The secret key, Z85, when this is a secret certificate. Keep it out of logs.
    public var secretKey: String?
    /// The `metadata` section: name–value pairs such as `agency`.
    public var metadata: [String: String]

    /// Creates a certificate.
    public init(publicKey: String, secretKey: String? = nil, metadata: [String: String] = [:]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.metadata = metadata
    }

    /// A certificate for a key pair; `secretKey` is kept.
    public init(keyPair: CurveKeyPair, metadata: [String: String] = [:]) {
        self.init(publicKey: keyPair.publicKey, secretKey: keyPair.secretKey, metadata: metadata)
    }

    /// The key pair, when this certificate holds a secret key that matches its public key.
    public func keyPair() throws(ZMQError) -> CurveKeyPair {
        guard let secretKey else {
            throw ZMQError(operation: "CurveCertificate.keyPair(no secret key)", code: EINVAL)
        }
        return try CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// The same certificate without its secret key.
    public var publicCertificate: CurveCertificate {
        CurveCertificate(publicKey: publicKey, metadata: metadata)
    }

    /// A short, stable fingerprint of the public key for people to compare: the first 16 hex
    /// digits of its SHA-256, in groups of four (`3f2b:8c1e:6d4a:4c1b`).
    public var fingerprint: String {
        Self.fingerprint(ofPublicKey: publicKey)
    }

    /// The fingerprint of a Z85 public key (see ``fingerprint``).
    public static func fingerprint(ofPublicKey key: String) -> String {
        let digest = SHA256.hash(Z85.decode(key) ?? Array(key.utf8))
        let hex = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        return stride(from: 0, to: hex.count, by: 4).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }.joined(separator: ":")
    }

    // MARK: Text

    /// The certificate as ZPL text.
    public var text: String {
        var lines = [
            secretKey == nil ? "#   ZeroMQ CURVE Public Certificate" : "#   ZeroMQ CURVE **Secret** Certificate",
            secretKey == nil
                ? "#   Exchange securely, or verify its fingerprint after exchange."
                : "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
            "",
            "metadata",
        ]
        for name in metadata.keys.sorted() {
            lines.append("    \(name) = \"\(metadata[name] ?? "")\"")
        }
        lines.append("curve")
        lines.append("    public-key = \"\(publicKey)\"")
        if let secretKey { lines.append("    secret-key = \"\(secretKey)\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses ZPL certificate text. Throws a ``CurveCertificateError`` naming `file` and the
    /// line when the text is not a certificate or a key is not Z85 of 32 bytes.
    public init(text: String, file: String = "certificate") throws(CurveCertificateError) {
        var section = ""
        var metadata: [String: String] = [:]
        var publicKey: String?
        var secretKey: String?
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func fail(_ message: String) -> CurveCertificateError {
                CurveCertificateError(code: .malformed, message: "\(file):\(number + 1): \(message)")
            }
            guard line.first == " " || line.first == "\t" else {
                section = trimmed
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else { throw fail("expected 'name = \"value\"'") }
            let name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            switch (section, name) {
            case ("curve", "public-key"): publicKey = value
            case ("curve", "secret-key"): secretKey = value
            case ("metadata", _): metadata[name] = value
            default: continue
            }
        }
        guard let publicKey else {
            throw CurveCertificateError(code: .malformed, message: "\(file): no 'public-key' in a 'curve' section")
        }
        guard Z85.decode(publicKey)?.count == 32 else {
            throw CurveCertificateError(code: .malformed, message: "\(file): the public key is not Z85 of 32 bytes")
        }
        if let secretKey {
            guard (try? CurveKeyPair(publicKey: publicKey, secretKey: secretKey)) != nil else {
                throw CurveCertificateError(code: .malformed, message: "\(file): the secret key is not Z85 of 32 bytes or does not match the public key")
            }
        }
        self.init(publicKey: publicKey, secretKey: secretKey, metadata: metadata)
    }

    // MARK: Files

    /// Reads a certificate file.
    public static func load(contentsOf path: String) throws(CurveCertificateError) -> CurveCertificate {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CurveCertificateError(code: .unreadable, message: "\(path): cannot read: \(error.localizedDescription)")
        }
        return try CurveCertificate(text: text, file: path)
    }

    /// Writes the certificate to `path`, with mode 0600 when it holds a secret key and 0644
    /// otherwise. Refuses to replace an existing file unless `overwrite` is true.
    public func write(to path: String, overwrite: Bool = false) throws(CurveCertificateError) {
        let mode: mode_t = secretKey == nil ? 0o644 : 0o600
        if overwrite { unlink(path) }
        // O_EXCL: never write a secret through a file someone else created in the meantime.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw CurveCertificateError(code: .unwritable, message: "\(path): cannot create: \(reason)")
        }
        defer { close(descriptor) }
        // The umask may have narrowed the mode; a secret must be exactly 0600.
        fchmod(descriptor, mode)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw CurveCertificateError(code: .unwritable, message: "\(path): cannot write: \(String(cString: strerror(errno)))")
            }
            written += result
        }
    }
}

/// A certificate file that cannot be read, parsed or written.
public struct CurveCertificateError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let value: String
        /// The file cannot be read.
        public static let unreadable = Code(value: "unreadable")
        /// The file is not a certificate, or its keys are invalid.
        public static let malformed = Code(value: "malformed")
        /// The file cannot be created or written.
        public static let unwritable = Code(value: "unwritable")
        /// The code as a string.
        public var description: String { value }
    }

    /// What kind of failure.
    public let code: Code
    /// What went wrong, naming the file.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
