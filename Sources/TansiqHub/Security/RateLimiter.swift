import Foundation

/// A token bucket per agency: each agency may publish `rate` messages a second on average and
/// `burst` at once. Used by the hub's loop only, on the hub's clock (`HubClock`), so a test
/// refills a bucket by moving the clock instead of waiting. A wall clock stepped forward
/// refills at most `burst`; stepped back, it only delays the refill.
struct RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: Date
        var lastNotice: Date?
    }

    let rate: Double
    let burst: Double
    private var buckets: [String: Bucket] = [:]
    /// The most agencies tracked; a full map is cleared, which only ever refills buckets.
    private static let agencyLimit = 10_000

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes a token for `agency`; `false` when its bucket is empty.
    mutating func admit(_ agency: String, now: Date) -> Bool {
        if buckets.count >= Self.agencyLimit, buckets[agency] == nil { buckets.removeAll(keepingCapacity: true) }
        var bucket = buckets[agency] ?? Bucket(tokens: burst, updated: now)
        let seconds = now.timeIntervalSince(bucket.updated)
        bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
        bucket.updated = now
        let admitted = bucket.tokens >= 1
        if admitted { bucket.tokens -= 1 }
        buckets[agency] = bucket
        return admitted
    }

    /// Whether the agency should be told about a refusal now: at most once a second, so that a
    /// flood does not turn into a flood of rejections.
    mutating func shouldNotify(_ agency: String, now: Date) -> Bool {
        if buckets.count >= Self.agencyLimit, buckets[agency] == nil { buckets.removeAll(keepingCapacity: true) }
        var bucket = buckets[agency] ?? Bucket(tokens: burst, updated: now)
        if let last = bucket.lastNotice, now.timeIntervalSince(last) < 1 { return false }
        bucket.lastNotice = now
        buckets[agency] = bucket
        return true
    }
}
