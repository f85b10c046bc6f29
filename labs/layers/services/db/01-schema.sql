-- The inventory service's own schema and user.
CREATE DATABASE inventory_db;
CREATE USER 'inventory'@'%' IDENTIFIED BY 'inventory-pw';
GRANT ALL ON inventory_db.* TO 'inventory'@'%';

CREATE TABLE inventory_db.stock (
    sku      VARCHAR(64) PRIMARY KEY,
    on_hand  INT NOT NULL
);
CREATE TABLE inventory_db.reservations (
    order_id VARCHAR(64) NOT NULL,
    sku      VARCHAR(64) NOT NULL,
    qty      INT NOT NULL,
    PRIMARY KEY (order_id, sku)
);
