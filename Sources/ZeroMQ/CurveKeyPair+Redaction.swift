extension CurveKeyPair: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The public key only: a configuration that is printed or logged never shows the secret key.
    public var description: String { "CurveKeyPair(publicKey: \(publicKey), secretKey: <redacted>)" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// The public key only, so that `dump` and test failure messages do not show the secret key.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey, "secretKey": "<redacted>"]) }
}
