-- One MariaDB server, one schema and one user per service: each service owns its data, and its user may touch
-- nothing else (the database says "access denied" if payment tries to read orders_db).

CREATE DATABASE orders_db;
CREATE DATABASE payment_db;
CREATE DATABASE inventory_db;

CREATE USER 'orders'@'%' IDENTIFIED BY 'orders-pw';
CREATE USER 'payment'@'%' IDENTIFIED BY 'payment-pw';
CREATE USER 'inventory'@'%' IDENTIFIED BY 'inventory-pw';
GRANT ALL ON orders_db.* TO 'orders'@'%';
GRANT ALL ON payment_db.* TO 'payment'@'%';
GRANT ALL ON inventory_db.* TO 'inventory'@'%';

-- ---- orders: the orders, the saga's state, an outbox of messages to send, the replies already handled ----------
CREATE TABLE orders_db.orders (
    id          VARCHAR(64) PRIMARY KEY,
    flow        VARCHAR(16) NOT NULL,          -- rest | saga | choreo
    customer    VARCHAR(64) NOT NULL,
    item        VARCHAR(64) NOT NULL,
    qty         INT NOT NULL,
    amount      INT NOT NULL,                  -- whole euros
    status      VARCHAR(16) NOT NULL,          -- PENDING | APPROVED | REJECTED
    saga_state  VARCHAR(32) NOT NULL,          -- the orchestrator's state machine
    reason      VARCHAR(255) NOT NULL DEFAULT '',
    created     DOUBLE NOT NULL,
    updated     DOUBLE NOT NULL,
    KEY by_status (status)
);
CREATE TABLE orders_db.outbox (
    seq         BIGINT AUTO_INCREMENT PRIMARY KEY,
    routing_key VARCHAR(64) NOT NULL,
    body        TEXT NOT NULL
);
CREATE TABLE orders_db.processed (
    message_id  VARCHAR(64) PRIMARY KEY
);

-- ---- payment: an append-only ledger of charges and refunds; the messages already handled, with their replies --
CREATE TABLE payment_db.ledger (
    seq         BIGINT AUTO_INCREMENT PRIMARY KEY,
    order_id    VARCHAR(64) NOT NULL,
    kind        VARCHAR(8) NOT NULL,           -- charge | refund
    amount      INT NOT NULL,
    at          DOUBLE NOT NULL,
    KEY by_order (order_id)
);
CREATE TABLE payment_db.processed (
    message_id  VARCHAR(64) PRIMARY KEY,
    reply       TEXT NOT NULL
);

-- ---- inventory: stock on hand, and one reservation per order (its natural idempotency key) -------------------
CREATE TABLE inventory_db.stock (
    item        VARCHAR(64) PRIMARY KEY,
    initial     INT NOT NULL,
    on_hand     INT NOT NULL
);
CREATE TABLE inventory_db.reservations (
    order_id    VARCHAR(64) PRIMARY KEY,
    item        VARCHAR(64) NOT NULL,
    qty         INT NOT NULL,
    state       VARCHAR(16) NOT NULL           -- reserved | released | rejected
);
