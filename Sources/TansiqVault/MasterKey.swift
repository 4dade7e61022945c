import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key that wraps every data key, read from a file only its owner can read or from the
/// `TANSIQ_MASTER_KEY` environment variable: 32 random bytes, written as base64.
///
/// It never sits beside the data it protects in the same file: the journal and the agents'
/// state files hold only data keys sealed under it, so destroying a data key (erasure) makes
/// what it sealed unreadable even to the holder of the master key.
public struct MasterKey: Sendable, Equatable {
    /// The environment variable a master key may be given in (base64).
    public static let environmentVariable = "TANSIQ_MASTER_KEY"

    private let bytes: [UInt8]
    /// Made on use: `SymmetricKey` is not `Sendable`.
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Keys are equal when their fingerprints are.
    public static func == (lhs: MasterKey, rhs: MasterKey) -> Bool { lhs.fingerprint == rhs.fingerprint }

    /// A new random key.
    public static func generate() -> MasterKey {
        MasterKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads the base64 form.
    public init(base64 text: String) throws(VaultError) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw VaultError(.badMasterKey, "a master key is 32 bytes written in base64 (tansiq journal keygen makes one)")
        }
        bytes = Array(data)
    }

    /// Reads a key file, refusing one that its group or others may read.
    public init(contentsOf path: String) throws(VaultError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw VaultError(.badMasterKey, "cannot read the master key file \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw VaultError(
                .badMasterKey,
                "the master key file \(path) is readable by others (mode \(String(status.st_mode & 0o777, radix: 8))); chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw VaultError(.badMasterKey, "cannot read the master key file \(path)")
        }
        try self.init(base64: text)
    }

    /// The key named by a file path, else by the environment; `nil` when neither gives one.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(VaultError) -> MasterKey? {
        if let file { return try MasterKey(contentsOf: file) }
        if let text = environment[environmentVariable], !text.isEmpty { return try MasterKey(base64: text) }
        return nil
    }

    /// The base64 form, for a key file.
    public var base64: String {
        Data(bytes).base64EncodedString()
    }

    /// Writes the key to a new file created 0600; an existing file is never overwritten.
    public func write(to path: String) throws(VaultError) {
        try PrivateFiles.createNew(path, contents: Array((base64 + "\n").utf8))
    }

    /// A short public name of the key, stored beside sealed data so that opening it with
    /// another key fails with a clear error rather than as corruption.
    public var fingerprint: String {
        let digest = HMAC<SHA256>.authenticationCode(for: Array("tansiq master key fingerprint".utf8), using: key)
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
