#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files only their owner can read, whatever the process's umask.
///
/// SQLite creates a database's `-wal` and `-shm` files with the permissions of the database
/// file, so creating the database file 0600 before SQLite opens it is enough for all three.
public enum PrivateFiles {
    /// Makes the directory holding `path` (and any missing parent) 0700; a directory that
    /// already exists is left as it is (it may be the user's working directory).
    public static func prepareDirectory(for path: String) throws(VaultError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash])
        guard !directory.isEmpty else { return }
        try makeDirectory(directory)
    }

    /// Creates `directory` 0700 with its missing parents.
    public static func makeDirectory(_ directory: String) throws(VaultError) {
        var status = stat()
        if stat(directory, &status) == 0 { return }
        if let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
            try makeDirectory(String(directory[..<slash]))
        }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw VaultError(.filePermissions, "cannot create the directory \(directory): \(String(cString: strerror(errno)))")
        }
        // mkdir applies the umask to its mode; chmod does not.
        _ = chmod(directory, 0o700)
    }

    /// Creates `path` 0600 if missing and makes an existing file (and its `-wal`, `-shm` and
    /// `-lock` companions, when present) 0600: for SQLite files.
    public static func prepareDatabaseFile(_ path: String) throws(VaultError) {
        try prepareDirectory(for: path)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw VaultError(.filePermissions, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw VaultError(.filePermissions, "cannot make \(path) private (chmod 600): \(String(cString: strerror(errno)))")
        }
        for suffix in ["-wal", "-shm", "-journal", "-lock"] {
            _ = chmod(path + suffix, 0o600)
        }
    }

    /// Creates a new file 0600 holding `contents`; fails if it exists.
    public static func createNew(_ path: String, contents: [UInt8]) throws(VaultError) {
        try prepareDirectory(for: path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw VaultError(.filePermissions, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        _ = fchmod(descriptor, 0o600)
        let written = contents.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == contents.count else {
            throw VaultError(.filePermissions, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Opens (creating 0600) a file for a lock; the caller owns the descriptor.
    public static func openLockFile(_ path: String) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { _ = fchmod(descriptor, 0o600) }
        return descriptor
    }

    /// The permission bits of `path`, or `nil` if it does not exist.
    public static func mode(of path: String) -> UInt32? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt32(status.st_mode & 0o7777)
    }
}
