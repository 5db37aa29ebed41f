# WRONG: insists on the double quotes around the SOAPAction value.
import re
import xml.etree.ElementTree as ET
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"  # SOAP 1.1
CALC_NS = "urn:calc"
ADD_ACTION = "urn:calc#Add"
XML_TYPE = "text/xml; charset=utf-8"
INTEGER = re.compile(r"[+-]?[0-9]+")

# Prefixes ElementTree writes for these namespaces (any prefix would do for a namespaced parser).
ET.register_namespace("soap", SOAP_ENV)
ET.register_namespace("calc", CALC_NS)

WSDL_TEMPLATE = """<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="Calculator"
    targetNamespace="urn:calc"
    xmlns:tns="urn:calc"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:calc" elementFormDefault="unqualified">
      <xsd:element name="Add">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="a" type="xsd:int"/>
            <xsd:element name="b" type="xsd:int"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
      <xsd:element name="AddResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="result" type="xsd:int"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="AddRequest">
    <wsdl:part name="parameters" element="tns:Add"/>
  </wsdl:message>
  <wsdl:message name="AddResponse">
    <wsdl:part name="parameters" element="tns:AddResponse"/>
  </wsdl:message>
  <wsdl:portType name="CalculatorPortType">
    <wsdl:operation name="Add">
      <wsdl:input message="tns:AddRequest"/>
      <wsdl:output message="tns:AddResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="CalculatorBinding" type="tns:CalculatorPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Add">
      <soap:operation soapAction="urn:calc#Add"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="CalculatorService">
    <wsdl:port name="CalculatorPort" binding="tns:CalculatorBinding">
      <soap:address location="{location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""

app = FastAPI()


class SoapFault(Exception):
    """A SOAP 1.1 fault: `code` is the local part of faultcode (Client, Server, VersionMismatch)."""

    def __init__(self, message: str, code: str = "Client") -> None:
        super().__init__(message)
        self.code = code


def soap_envelope(payload: ET.Element) -> bytes:
    envelope = ET.Element(f"{{{SOAP_ENV}}}Envelope")
    ET.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(payload)
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def fault_response(fault: SoapFault) -> Response:
    element = ET.Element(f"{{{SOAP_ENV}}}Fault")
    # faultcode is a qualified name: its prefix must be the one bound to the envelope namespace.
    ET.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    ET.SubElement(element, "faultstring").text = str(fault)
    # SOAP 1.1 over HTTP: a fault travels with status 500, whoever is to blame.
    return Response(soap_envelope(element), status_code=500, media_type=XML_TYPE)


def read_int(operation: ET.Element, name: str) -> int:
    text = operation.findtext(name)  # a and b are unqualified: no namespace
    if text is None:
        raise SoapFault(f"<{name}> is missing")
    if not INTEGER.fullmatch(text.strip()):
        raise SoapFault(f"<{name}> must be an integer, got {text.strip()!r}")
    return int(text)


def parse_add(soap_action: str | None, body: bytes) -> tuple[int, int]:
    if soap_action is None or soap_action.strip() != f'"{ADD_ACTION}"':
        raise SoapFault(f'SOAPAction must be "{ADD_ACTION}", got {soap_action!r}')
    try:
        envelope = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SoapFault(f"malformed XML: {exc}") from None
    if envelope.tag.endswith("}Envelope") and envelope.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("this endpoint speaks SOAP 1.1", code="VersionMismatch")
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("the document is not a SOAP 1.1 Envelope")
    soap_body = envelope.find(f"{{{SOAP_ENV}}}Body")
    if soap_body is None:
        raise SoapFault("the Envelope has no Body")
    operation = soap_body.find(f"{{{CALC_NS}}}Add")
    if operation is None:
        raise SoapFault("the Body holds no {urn:calc}Add")
    return read_int(operation, "a"), read_int(operation, "b")


# --- Tasks 1 and 2: the SOAP endpoint ---------------------------------------------------------


@app.post("/soap/calculator")
async def soap_calculator(request: Request) -> Response:
    try:
        a, b = parse_add(request.headers.get("soapaction"), await request.body())
    except SoapFault as fault:
        return fault_response(fault)
    answer = ET.Element(f"{{{CALC_NS}}}AddResponse")
    ET.SubElement(answer, "result").text = str(a + b)
    return Response(soap_envelope(answer), media_type=XML_TYPE)


# --- Task 3: the contract ----------------------------------------------------------------------


@app.get("/soap/calculator")
def soap_calculator_wsdl(request: Request) -> Response:
    if "wsdl" not in request.query_params:
        return Response("add ?wsdl to read the service description", status_code=400)
    location = str(request.url_for("soap_calculator"))
    return Response(WSDL_TEMPLATE.replace("{location}", location), media_type=XML_TYPE)


# --- Task 4: the REST twin ---------------------------------------------------------------------


@app.get("/rest/add")
def rest_add(a: Annotated[int, Query()], b: Annotated[int, Query()]) -> dict[str, int]:
    return {"result": a + b}
