import Foundation
import ZeroMQ

/// Every wait in these tests is bounded by this, so no test can hang.
let patience = Duration.seconds(5)
let patienceMilliseconds: Int32 = 5000

/// A fresh inproc endpoint, so tests running in parallel never share one.
func uniqueInproc(_ name: String) -> String {
    "inproc://\(name)-\(UInt64.random(in: .min ... .max))"
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

extension Socket {
    /// Receives one message, waiting at most `patience`.
    func receiveBounded() throws -> Multipart? {
        try set(.receiveTimeout(milliseconds: patienceMilliseconds))
        return try receive()
    }

    /// Binds to a free TCP port on loopback and returns the endpoint actually bound.
    func bindLoopback() throws -> String {
        try bind("tcp://127.0.0.1:*")
        return try lastEndpoint()
    }
}

extension SocketMonitor {
    /// Reads events until one of `kind` arrives; `nil` if none comes within `patience`.
    func waitFor(_ kind: MonitorEvent.Kind) throws -> MonitorEvent? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: patience)
        for _ in 0..<10_000 {
            let left = clock.now.duration(to: deadline)
            guard left > .zero, let event = try next(timeout: left) else { return nil }
            if event.kind == kind { return event }
        }
        return nil
    }
}

/// A value shared between a test and a callback on another thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withValue<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
