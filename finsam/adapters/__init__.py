"""The edges: mail transports. Only the CLI and the flows wire these in; the domain never imports them."""
