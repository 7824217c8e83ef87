"""消息通知: in-platform messages, e-mail over SMTP and an SMS gateway, fed by the outbox."""
