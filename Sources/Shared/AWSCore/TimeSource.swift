#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time and sleeping, passed in so tests can replace them.
public protocol TimeSource: AnyObject {
    /// Seconds since the Unix epoch.
    func now() -> Double
    /// Sleeps for the given seconds (may return early when interrupted).
    func sleep(_ seconds: Double)
}

/// The real clock.
public final class SystemTime: TimeSource {
    public init() {}
    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    public func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var req = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var rem = timespec()
        // Interrupted by a signal: return early so the caller can notice a stop request.
        _ = nanosleep(&req, &rem)
    }
}

/// Randomness, passed in so backoff jitter is testable.
public protocol RandomSource: AnyObject {
    /// A uniformly distributed value in 0..<1.
    func unit() -> Double
}

/// The system random generator.
public final class SystemRandom: RandomSource {
    public init() {}
    public func unit() -> Double {
        var g = SystemRandomNumberGenerator()
        return Double.random(in: 0..<1, using: &g)
    }
}
