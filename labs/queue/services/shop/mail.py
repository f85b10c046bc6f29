"""What the shop's services may use: a price list, and a Mailer that sends mail through the lab's SMTP server."""

import os
import smtplib
from email.message import EmailMessage

from nameko.extensions import DependencyProvider

PRICES = {"ROBOT-1": 120, "ROBOT-2": 250, "GEAR": 15}  # euro per piece
SENDER = "shop@msalab.test"


def send_mail(to: str, subject: str, body: str) -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, to, subject
    mail.set_content(body)
    with smtplib.SMTP(os.environ.get("SMTP_HOST", "mail"), int(os.environ.get("SMTP_PORT", "1025")), timeout=10) as s:
        s.send_message(mail)


class Mailer(DependencyProvider):
    """In a service: `mailer = Mailer()`, then `self.mailer.send(to, subject, body)` in any entrypoint."""

    class _Sender:
        send = staticmethod(send_mail)

    def get_dependency(self, worker_ctx):
        return self._Sender()
