import TansiqMessages
import Testing

@Suite("Warning throttle")
struct WarningThrottleTests {
    @Test func aRepeatedWarningIsLetThroughOncePerIntervalWithTheCountHeldBack() {
        var throttle = WarningThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(throttle.admit("wrong-hub-key", now: start) == 0)
        for second in 1...9 {
            #expect(throttle.admit("wrong-hub-key", now: start.advanced(by: .seconds(second))) == nil)
        }
        // Another warning is not held back by the first.
        #expect(throttle.admit("plaintext-client", now: start.advanced(by: .seconds(5))) == 0)
        #expect(throttle.admit("wrong-hub-key", now: start.advanced(by: .seconds(10))) == 9)
        #expect(throttle.admit("wrong-hub-key", now: start.advanced(by: .seconds(21))) == 0)
    }
}
