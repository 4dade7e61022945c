import TansiqVault
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on `<journal>-lock`, held by the one hub that writes a journal.
///
/// SQLite lets two processes write the same file in turn; two hubs doing so would interleave
/// two streams of sequence numbers. The lock makes the second hub fail at start with a clear
/// error instead. The kernel releases it when the process dies, SIGKILL included, so a
/// restarted hub never finds a stale lock. Readers (`tansiq journal`) take no lock.
final class JournalLock {
    private var descriptor: Int32

    /// Takes the lock, or throws a ``HubError`` naming the journal when another process holds it.
    init(journalPath: String) throws {
        let path = journalPath + "-lock"
        try? PrivateFiles.prepareDirectory(for: path)
        descriptor = PrivateFiles.openLockFile(path)
        guard descriptor >= 0 else {
            throw HubError(code: .journalUnavailable, message: "cannot create the journal's lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another hub is writing to \(journalPath)" : String(cString: strerror(errno))
            close(descriptor)
            descriptor = -1
            throw HubError(code: .journalUnavailable, message: "cannot lock the journal: \(reason)")
        }
    }

    /// Releases the lock; releasing twice does nothing.
    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
