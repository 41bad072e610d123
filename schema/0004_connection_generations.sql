-- Orders WebSocket connections of a device across nodes. Each connection draws a number when
-- it registers; the "connected" notification carries it, and a node closes its socket for
-- that device only when the socket's number is lower. A late notification from an older
-- connection therefore cannot close a newer one.
-- Only adds a sequence that older code never reads:
-- sealpost:compatible_from 3
CREATE SEQUENCE websocket_connection_generation;
