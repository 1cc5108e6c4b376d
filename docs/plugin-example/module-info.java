/** An HTTP CONNECT proxy as a Caret forward type: the example of docs/writing-a-plugin.md. */
module com.example.httpproxy {
    requires caret.spi;

    provides caret.spi.ForwardType with com.example.httpproxy.HttpProxyForwardType;
}
