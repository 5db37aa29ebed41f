import xml.etree.ElementTree as ET  # noqa: F401  (for Tasks 1 and 2)

from fastapi import FastAPI, Request, Response  # noqa: F401

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"  # the SOAP 1.1 envelope namespace
CALC_NS = "urn:calc"  # the namespace of Add and AddResponse
ADD_ACTION = "urn:calc#Add"  # the SOAPAction of Add

# The service description, served by GET /soap/calculator?wsdl (Task 3). The types and the
# messages are written for you; {location} stands for the endpoint's absolute URL.
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
  <!-- TODO: Task 3 - wsdl:portType with the operation Add (input AddRequest, output AddResponse)
       TODO: Task 3 - wsdl:binding: SOAP over HTTP, document/literal, soapAction urn:calc#Add
       TODO: Task 3 - wsdl:service with one port whose soap:address location is {location} -->
</wsdl:definitions>
"""

app = FastAPI()


# TODO: Task 1 - POST /soap/calculator: parse the SOAP 1.1 Envelope (namespace-aware), read the
#       integers a and b of {urn:calc}Add and answer an Envelope holding
#       <AddResponse xmlns="urn:calc"><result>a + b</result></AddResponse> as text/xml.


# TODO: Task 2 - every bad request (malformed XML, not an Envelope, no Add, a or b missing or not
#       an integer, a SOAPAction other than "urn:calc#Add") answers HTTP 500 with a soap:Fault
#       whose faultcode is soap:Client.


# TODO: Task 3 - GET /soap/calculator?wsdl answers the completed WSDL_TEMPLATE as XML.


# TODO: Task 4 - the REST twin: GET /rest/add?a=<int>&b=<int> answers {"result": a + b}.
