import CZeroMQ

extension Socket {
    /// Sends all frames as one multipart message.
    ///
    /// Returns `false`, sending nothing, when the message would block: with `dontWait`, or
    /// when the send timeout (``SocketOption/sendTimeout(milliseconds:)``) is reached.
    /// An empty list of frames is `EINVAL`: a message has at least one frame.
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try openHandle("send")
        guard !frames.isEmpty else { throw ZMQError(operation: "send", code: EINVAL) }
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < last ? ZMQ_SNDMORE : 0
            // Only the first frame may block: libzmq accepts the rest of a started message.
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                // zmq_send copies the bytes into a message it owns (zmq_msg_init_size + memcpy).
                let rc = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if rc >= 0 { break }
                let error = ZMQError.last("send(frame \(index) of \(frames.count))")
                if error.code == EINTR { continue }
                if error.isWouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message, with its `User-Id` and `Peer-Address` metadata.
    ///
    /// Returns `nil` when no message is available: with `dontWait`, or when the receive
    /// timeout (``SocketOption/receiveTimeout(milliseconds:)``) is reached.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> Multipart? {
        let handle = try openHandle("receive")
        var message = Multipart(frames: [])
        var more = true
        while more {
            // Frames after the first are already queued, so only the first may wait.
            let flags: Int32 = message.frames.isEmpty && dontWait ? ZMQ_DONTWAIT : 0
            zmq_msg_init(scratch)
            defer { zmq_msg_close(scratch) }
            while zmq_msg_recv(scratch, handle, flags) < 0 {
                let error = ZMQError.last("receive(frame \(message.frames.count))")
                if error.code == EINTR { continue }
                if error.isWouldBlock && message.frames.isEmpty { return nil }
                throw error
            }
            if message.frames.isEmpty {
                // Metadata lives on the message: read it before the first frame is closed.
                message.userID = metadata("User-Id")
                message.peerAddress = metadata("Peer-Address")
            }
            let size = zmq_msg_size(scratch)
            message.frames.append(
                size == 0 ? [] : Array(UnsafeRawBufferPointer(start: zmq_msg_data(scratch), count: size))
            )
            more = zmq_msg_more(scratch) != 0
        }
        return message
    }

    private func metadata(_ property: String) -> String? {
        guard let value = zmq_msg_gets(scratch, property) else { return nil }
        return String(cString: value)
    }
}
