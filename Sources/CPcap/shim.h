#ifndef TLSDUMP_CPCAP_SHIM_H
#define TLSDUMP_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
