/** Local forwards (-L), built on the Caret SPI only. Exports nothing. */
module caret.plugin.local {
    requires caret.spi;

    provides caret.spi.ForwardType with caret.plugin.local.LocalForwardType;
}
