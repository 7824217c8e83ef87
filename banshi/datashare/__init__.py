"""数据共享: providers (local, HTTP exchange) that verify a material from data, every call recorded."""
