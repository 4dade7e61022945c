import CZeroMQ

extension Socket {
    /// Receives one whole multipart message like ``receive(dontWait:)``, but keeps at most
    /// `frameLimit` frames: the rest of the message is read and dropped without being copied.
    /// Returns the message and the number of frames it really had.
    ///
    /// A server reading from untrusted peers uses it so that a message of a million empty frames
    /// costs no memory (libzmq's `ZMQ_MAXMSGSIZE` bounds a frame, not a message's frame count).
    public func receive(dontWait: Bool = false, frameLimit: Int) throws(ZMQError) -> (message: Multipart, frameCount: Int)? {
        let handle = try openHandle("receive")
        var message = Multipart(frames: [])
        var count = 0
        var more = true
        while more {
            let flags: Int32 = count == 0 && dontWait ? ZMQ_DONTWAIT : 0
            zmq_msg_init(scratch)
            defer { zmq_msg_close(scratch) }
            while zmq_msg_recv(scratch, handle, flags) < 0 {
                let error = ZMQError.last("receive(frame \(count))")
                if error.code == EINTR { continue }
                if error.isWouldBlock && count == 0 { return nil }
                throw error
            }
            if count == 0 {
                if let value = zmq_msg_gets(scratch, "User-Id") { message.userID = String(cString: value) }
                if let value = zmq_msg_gets(scratch, "Peer-Address") { message.peerAddress = String(cString: value) }
            }
            if count < frameLimit {
                let size = zmq_msg_size(scratch)
                message.frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: zmq_msg_data(scratch), count: size)))
            }
            count += 1
            more = zmq_msg_more(scratch) != 0
        }
        return (message, count)
    }
}
