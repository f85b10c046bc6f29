-- One MariaDB server, one schema and one user per service. Each user may use its own schema and nothing else:
-- the database itself answers "command denied" when orders tries to read catalog_db.

CREATE DATABASE catalog_db;
CREATE DATABASE customer_db;
CREATE DATABASE order_db;
CREATE DATABASE shipping_db;

CREATE USER 'catalog'@'%' IDENTIFIED BY 'catalog-pw';
CREATE USER 'customer'@'%' IDENTIFIED BY 'customer-pw';
CREATE USER 'orders'@'%' IDENTIFIED BY 'orders-pw';
CREATE USER 'shipping'@'%' IDENTIFIED BY 'shipping-pw';
GRANT ALL ON catalog_db.* TO 'catalog'@'%';
GRANT ALL ON customer_db.* TO 'customer'@'%';
GRANT ALL ON order_db.* TO 'orders'@'%';
GRANT ALL ON shipping_db.* TO 'shipping'@'%';

-- ---- catalog: what the shop sells --------------------------------------------------------------------------------
CREATE TABLE catalog_db.products (
    sku     VARCHAR(32) PRIMARY KEY,
    name    VARCHAR(100) NOT NULL,
    price   INT NOT NULL                    -- cents
);
INSERT INTO catalog_db.products VALUES
    ('lamp', 'Desk lamp', 3900), ('chair', 'Office chair', 14900), ('mug', 'Coffee mug', 900),
    ('desk', 'Standing desk', 42000), ('plant', 'Rubber plant', 2500);

-- ---- customer: who buys ------------------------------------------------------------------------------------------
CREATE TABLE customer_db.customers (
    id      VARCHAR(32) PRIMARY KEY,
    name    VARCHAR(100) NOT NULL,
    city    VARCHAR(100) NOT NULL
);
INSERT INTO customer_db.customers VALUES
    ('c1', 'Ada Lovelace', 'London'), ('c2', 'Grace Hopper', 'Arlington'), ('c3', 'Alan Turing', 'Manchester');

-- ---- orders: the orders, and the outbox of events still to publish ------------------------------------------------
CREATE TABLE order_db.orders (
    id       VARCHAR(64) PRIMARY KEY,
    customer VARCHAR(32) NOT NULL,
    body     TEXT NOT NULL,                 -- the order as JSON: {"id", "customer", "lines": [{"sku", "qty"}]}
    created  DATETIME(6) NOT NULL DEFAULT NOW(6),
    KEY by_customer (customer)
);
CREATE TABLE order_db.outbox (
    seq       BIGINT AUTO_INCREMENT PRIMARY KEY,
    event_id  VARCHAR(64) NOT NULL UNIQUE,
    type      VARCHAR(64) NOT NULL,         -- the routing key, e.g. order.placed
    body      TEXT NOT NULL,                -- the event as JSON, event_id included
    created   DATETIME(6) NOT NULL DEFAULT NOW(6),
    published DATETIME(6) NULL              -- NULL: not yet published
);

-- ---- shipping: one shipment per order; every event received, with how often it arrived ----------------------------
CREATE TABLE shipping_db.deliveries (
    event_id  VARCHAR(64) PRIMARY KEY,
    order_id  VARCHAR(64) NOT NULL,
    times     INT NOT NULL,
    KEY by_order (order_id)
);
CREATE TABLE shipping_db.shipments (
    id        BIGINT AUTO_INCREMENT PRIMARY KEY,
    order_id  VARCHAR(64) NOT NULL,
    created   DATETIME(6) NOT NULL DEFAULT NOW(6),
    KEY by_order (order_id)
);
