"""The fields of a multipart/form-data body, as mephisto-task posts /submit_task with files:
`USED_AGENT_ID`, `final_string_data` (the task data as JSON) and the files, which a preview
records by name and size only."""

from __future__ import annotations

import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any


def form_fields(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    for part in message.iter_parts() if message.is_multipart() else ():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if filename:
            files.append({"fieldname": str(name), "filename": filename, "size": len(data)})
        elif name:
            fields[str(name)] = data.decode("utf-8", errors="replace")
    if "final_string_data" in fields:
        final = json.loads(fields.pop("final_string_data"))
        fields["final_data"] = final
    if files:
        final_data = fields.get("final_data")
        if isinstance(final_data, dict):
            final_data["files"] = files
        else:
            fields["final_data"] = {"value": final_data, "files": files}
    return fields
