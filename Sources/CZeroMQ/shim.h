#ifndef TANSIQ_CZEROMQ_SHIM_H
#define TANSIQ_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
