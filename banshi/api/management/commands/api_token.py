"""``banshi api_token create USER --label L`` (prints the token once), ``list [USER]``, ``revoke ID``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banshi.api import tokens


class Command(BaseCommand):
    help = (
        "接口令牌 / API tokens: create USER --label L (the token is printed once), "
        "list [USER], revoke ID"
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="create a token for USER and print it once")
        create.add_argument("user", help="username the token acts as")
        create.add_argument("--label", required=True, help="what the token is for")
        listing = commands.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("user", nargs="?", default=None)
        revoke = commands.add_parser("revoke", help="revoke the token with this id")
        revoke.add_argument("id", type=int)

    def handle(self, *args, command: str, **options):
        try:
            if command == "create":
                user = tokens.find_user(options["user"])
                row, token = tokens.create_token(user, options["label"])
                self.stderr.write(
                    f"已为 {user.username} 创建令牌 #{row.pk}({row.label})。令牌只显示这一次，"
                    "请妥善保存 / token created; it is shown only this once:"
                )
                self.stdout.write(token)
            elif command == "list":
                for row in tokens.tokens_of(options["user"]):
                    state = "revoked" if row.revoked_at else "active"
                    used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
                    self.stdout.write(
                        f"{row.pk:>5}  {row.prefix}…  {row.user.username:<20} {state:<8} "
                        f"last used {used:<16}  {row.label}"
                    )
            else:
                row = tokens.revoke_token(options["id"])
                self.stdout.write(f"令牌 #{row.pk} 已吊销 / token #{row.pk} revoked")
        except tokens.TokenError as error:
            raise CommandError(str(error)) from error
