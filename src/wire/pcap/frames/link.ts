/** LINKTYPE_* values (tcpdump.org link-layer header types) the frame decoder understands. */
export const LINKTYPE_ETHERNET = 1;
/** Raw IP: the packet starts with an IPv4 or IPv6 header (the version nibble says which). */
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const SUPPORTED_LINK_TYPES: readonly number[] = Object.freeze([
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_LINUX_SLL2,
]);
