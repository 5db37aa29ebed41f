# ALTERNATIVE: answers from string templates (SOAP-ENV prefix), SOAPAction via Header(),
# a WSDL whose wsdl namespace is the default namespace, and a router for the REST twin.
import xml.etree.ElementTree as ET
from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import APIRouter, FastAPI, Header, Request, Response

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CALC_NS = "urn:calc"
ADD_ACTION = "urn:calc#Add"

WSDL_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<definitions name="Calculator" targetNamespace="urn:calc"
    xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:c="urn:calc"
    xmlns:wsoap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <types>
    <xsd:schema targetNamespace="urn:calc" elementFormDefault="unqualified">
      <xsd:element name="Add">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="a" type="xsd:int"/><xsd:element name="b" type="xsd:int"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="AddResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="result" type="xsd:int"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="AddRequest"><part name="parameters" element="c:Add"/></message>
  <message name="AddResponse"><part name="parameters" element="c:AddResponse"/></message>
  <portType name="Calc">
    <operation name="Add">
      <input message="c:AddRequest"/>
      <output message="c:AddResponse"/>
    </operation>
  </portType>
  <binding name="CalcSoap11" type="c:Calc">
    <wsoap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <operation name="Add">
      <wsoap:operation soapAction="urn:calc#Add" style="document"/>
      <input><wsoap:body use="literal"/></input>
      <output><wsoap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="Calculator">
    <port name="CalcPort" binding="c:CalcSoap11">
      <wsoap:address location="{location}"/>
    </port>
  </service>
</definitions>
"""

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}"><SOAP-ENV:Body>{{}}</SOAP-ENV:Body>'
    "</SOAP-ENV:Envelope>"
)


class Fault(Exception):
    pass


def xml(text: str, status: int = 200) -> Response:
    return Response(text, status_code=status, media_type="text/xml; charset=utf-8")


def fault(message: str, code: str = "Client") -> Response:
    body = (
        f"<SOAP-ENV:Fault><faultcode>SOAP-ENV:{code}</faultcode>"
        f"<faultstring>{escape(message)}</faultstring></SOAP-ENV:Fault>"
    )
    return xml(ENVELOPE.format(body), 500)


def integer(operation: ET.Element, name: str) -> int:
    text = (operation.findtext(name) or "").strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        raise Fault(f"<{name}> must be an integer")
    return int(text)


app = FastAPI()


@app.post("/soap/calculator", name="calculator")
async def calculator(
    request: Request, soap_action: Annotated[str | None, Header(alias="SOAPAction")] = None
):
    if (soap_action or "").strip().strip('"') != ADD_ACTION:
        return fault("unknown SOAPAction")
    try:
        root = ET.fromstring(await request.body())
    except ET.ParseError:
        return fault("the request is not well-formed XML")
    if root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope":
        return fault("SOAP 1.2 is not supported", "VersionMismatch")
    body = root.find(f"{{{SOAP_ENV}}}Body") if root.tag == f"{{{SOAP_ENV}}}Envelope" else None
    operation = body.find(f"{{{CALC_NS}}}Add") if body is not None else None
    if operation is None:
        return fault("expected a SOAP 1.1 Envelope whose Body holds {urn:calc}Add")
    try:
        total = integer(operation, "a") + integer(operation, "b")
    except Fault as exc:
        return fault(str(exc))
    answer = f'<c:AddResponse xmlns:c="{CALC_NS}"><result>{total}</result></c:AddResponse>'
    return xml(ENVELOPE.format(answer))


@app.get("/soap/calculator")
def calculator_wsdl(request: Request):
    return xml(WSDL_TEMPLATE.replace("{location}", str(request.url_for("calculator"))))


rest = APIRouter(prefix="/rest")


@rest.get("/add")
def add(a: int, b: int):
    return {"result": a + b}


app.include_router(rest)
