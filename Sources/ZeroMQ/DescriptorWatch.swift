#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZeroMQ

/// Waits on many descriptors at once — the `ZMQ_FD`s of many pollers' sockets (``Poller/descriptors()``)
/// and one wake-up descriptor — each group under a key, and says which keys may have something
/// ready (Linux: epoll, whose cost does not grow with the descriptors that stay quiet; elsewhere
/// `poll`). A key that fired must be polled (`.zero`) to learn what is ready. One thread.
public final class DescriptorWatch<Key: Hashable> {
    private let wake: Int32
    private var keys: [Int32: Key] = [:]
    #if os(Linux)
    private let epoll: Int32
    /// Room for every descriptor at once: one call says everything that is ready.
    private var events: [epoll_event] = [epoll_event()]
    #endif

    /// A watch whose `wake` descriptor is reported apart from the keys.
    public init(wake: Int32) {
        self.wake = wake
        #if os(Linux)
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epoll >= 0, "cannot create an epoll descriptor (errno \(errno))")
        watch(wake)
        #endif
    }

    /// Closes the epoll descriptor; the watched ones stay open.
    public func close() {
        #if os(Linux)
        _ = Glibc.close(epoll)
        #endif
    }

    /// Watches `descriptors` for readability under `key`.
    public func add(_ descriptors: [Int32], for key: Key) {
        for descriptor in descriptors {
            keys[descriptor] = key
            #if os(Linux)
            watch(descriptor)
            #endif
        }
        #if os(Linux)
        if events.count < keys.count + 1 { events = [epoll_event](repeating: epoll_event(), count: 2 * keys.count + 1) }
        #endif
    }

    /// Stops watching `descriptors` (before they are closed).
    public func remove(_ descriptors: [Int32]) {
        for descriptor in descriptors {
            keys[descriptor] = nil
            #if os(Linux)
            var event = epoll_event()
            _ = epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, &event)
            #endif
        }
    }

    #if os(Linux)
    private func watch(_ descriptor: Int32) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = descriptor
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event)
    }
    #endif

    /// Waits until a descriptor is readable or `timeout` passes; returns the agents whose
    /// descriptors are, and whether the host's own wake-up is.
    public func wait(timeout: Duration) throws(ZMQError) -> (fired: [Key], woken: Bool) {
        let milliseconds = Self.milliseconds(timeout)
        var fired: [Key] = []
        var woken = false
        #if os(Linux)
        var count: Int32
        repeat {
            count = epoll_wait(epoll, &events, Int32(events.count), milliseconds)
        } while count < 0 && errno == EINTR
        if count < 0 { throw ZMQError(operation: "epoll_wait", code: errno) }
        for event in events.prefix(Int(count)) {
            let descriptor = event.data.fd
            if descriptor == wake { woken = true } else if let key = keys[descriptor] { fired.append(key) }
        }
        #else
        var descriptors = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        descriptors += keys.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var count: Int32
        repeat {
            count = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        } while count < 0 && errno == EINTR
        if count < 0 { throw ZMQError(operation: "poll", code: errno) }
        for entry in descriptors where entry.revents != 0 {
            if entry.fd == wake { woken = true } else if let key = keys[entry.fd] { fired.append(key) }
        }
        #endif
        return (fired, woken)
    }

    /// Whole milliseconds, rounded up so that a wait never ends early.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
