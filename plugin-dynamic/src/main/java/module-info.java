/** Dynamic forwards: a SOCKS 4, 4a and 5 proxy (-D), built on the Caret SPI only. Exports nothing. */
module caret.plugin.dynamic {
    requires caret.spi;

    provides caret.spi.ForwardType with caret.plugin.dynamic.DynamicForwardType;
}
