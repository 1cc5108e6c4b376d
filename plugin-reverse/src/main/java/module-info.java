/** Reverse forwards (-R), built on the Caret SPI only. Exports nothing. */
module caret.plugin.reverse {
    requires caret.spi;

    provides caret.spi.ForwardType with caret.plugin.reverse.ReverseForwardType;
}
