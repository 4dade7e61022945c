// Valgrind driver: 10,000 three-frame round trips over an inproc PAIR, using the ZeroMQ module sources.
func run() throws {
    let context = try Context()
    let left = try context.makeSocket(.pair)
    try left.bind("inproc://valgrind")
    let right = try context.makeSocket(.pair)
    try right.connect("inproc://valgrind")
    try right.set(.receiveTimeout(milliseconds: 5000))
    try left.set(.receiveTimeout(milliseconds: 5000))
    var completed = 0
    for sequence in 0..<10_000 {
        let frames: [[UInt8]] = [Array("seq".utf8), withUnsafeBytes(of: sequence) { Array($0) }, Array(repeating: 7, count: sequence % 300)]
        try left.send(frames)
        guard let request = try right.receive() else { break }
        try right.send(request.frames)
        guard let reply = try left.receive() else { break }
        if reply.frames == frames { completed += 1 }
    }
    // Exercise the rest of the receive path once: poller, monitor, metadata over tcp.
    let pull = try context.makeSocket(.pull)
    let monitor = try SocketMonitor(socket: pull, context: context)
    try pull.bind("tcp://127.0.0.1:*")
    let push = try context.makeSocket(.push)
    try push.connect(try pull.lastEndpoint())
    try push.send([Array(repeating: 1, count: 1 << 20), []])
    try pull.set(.receiveTimeout(milliseconds: 5000))
    let big = try pull.receive()
    let event = try monitor.next(timeout: .seconds(5))
    monitor.close()
    print("completed \(completed) round trips; big frames \(big?.frames.map(\.count) ?? []); peer \(big?.peerAddress ?? "-"); first event \(String(describing: event?.kind.rawValue))")
}
try run()
try runCurve()
