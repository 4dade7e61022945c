#ifndef TANSIQ_CZEROMQ_SHIM_H
#define TANSIQ_CZEROMQ_SHIM_H
#include <zmq.h>
#ifdef __linux__
/* DescriptorWatch (Sources/ZeroMQ) waits on many sockets' descriptors at once. */
#include <sys/epoll.h>
#endif
#endif
